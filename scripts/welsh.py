"""The Welsh for the pages' words, kept beside the catalogue it fills: `make translations`
extracts the words, writes them here where a Welsh speaker checks them, and compiles them.

    python scripts/welsh.py service/web/translations/cy/LC_MESSAGES/messages.po

fills every empty Welsh string of the catalogue from WELSH and exits non-zero naming any the
list lacks.
"""

import sys

from babel.messages.pofile import read_po, write_po

WELSH = {
    "(optional)": "(dewisol)",
    "%(task)s is done.": "Wedi cwblhau: %(task)s.",
    "The case %(reference)s has started.": "Mae achos %(reference)s wedi dechrau.",
    "Start a case": "Dechrau achos",
    "a name": "enw",
    "a date of birth": "dyddiad geni",
    "a phone number": "rhif ffôn",
    "a STORM reference": "cyfeirnod STORM",
    "Earlier reports": "Adroddiadau cynharach",
    # Welsh counts with the singular noun: "2 achos cynharach".
    (
        "%(num)d earlier case holds the same details",
        "%(num)d earlier cases hold the same details",
    ): "Mae gan %(num)d achos cynharach yr un manylion",
    "Repeat reports are how stalking is spotted. Add their STORM references to the prior "
    "incidents if they concern the same people, then start the case.": (
        "Adroddiadau dro ar ôl tro yw'r ffordd o sylwi ar stelcio. Ychwanegwch eu cyfeirnodau "
        "STORM at y digwyddiadau blaenorol os ydynt yn ymwneud â'r un bobl, yna dechreuwch yr "
        "achos."
    ),
    "Started": "Dechreuwyd",
    "Holds": "Yn cynnwys",
    "Restricted": "Cyfyngedig",
    "No earlier case holds these details.": "Nid oes gan yr un achos cynharach y manylion hyn.",
    "Start the case": "Dechrau'r achos",
    "Check for earlier reports": "Chwilio am adroddiadau cynharach",
    "None of your roles starts a case.": "Nid oes yr un o'ch rolau'n dechrau achos.",
    "You will be signed out soon because you have not used Gwarchod for a while.": (
        "Byddwch yn cael eich allgofnodi cyn bo hir am nad ydych wedi defnyddio Gwarchod ers tro."
    ),
    "Anything you have typed but not sent will be lost.": (
        "Bydd unrhyw beth rydych wedi'i deipio ond heb ei anfon yn cael ei golli."
    ),
    "Stay signed in": "Aros wedi mewngofnodi",
    "What you typed on %(when)s is back in the form below: check it and send it.": (
        "Mae'r hyn a deipiwyd gennych ar %(when)s yn ôl yn y ffurflen isod: gwiriwch ef a'i anfon."
    ),
    "What you typed is kept: if the task comes back to you, it will be in the form.": (
        "Mae'r hyn a deipiwyd gennych wedi'i gadw: os daw'r dasg yn ôl atoch, bydd yn y ffurflen."
    ),
    "Team": "Tîm",
    "%(task)s is now %(officer)s's.": "Mae %(task)s bellach gyda %(officer)s.",
    "Given by %(name)s": "Gan %(name)s",
    ("Team: %(num)d open task", "Team: %(num)d open tasks"): "Tîm: %(num)d tasg ar agor",
    "No task is open.": "Nid oes tasg ar agor.",
    "Not taken by anyone": "Heb ei chymryd gan neb",
    "Tasks %(name)s holds": "Tasgau sydd gan %(name)s",
    "Tasks no one holds": "Tasgau nad oes neb yn eu dal",
    "Give to": "Rhoi i",
    "Give %(task)s to": "Rhoi %(task)s i",
    "Give": "Rhoi",
    "No officer holds this role": "Nid oes swyddog â'r rôl hon",
    "Enter a real date, for example 23 4 1990": "Rhowch ddyddiad go iawn, er enghraifft 23 4 1990",
    "Enter a real date and a time, for example 23 4 2026 and 09:30": (
        "Rhowch ddyddiad go iawn ac amser, er enghraifft 23 4 2026 a 09:30"
    ),
    "Actions": "Camau gweithredu",
    "Add another": "Ychwanegu un arall",
    "All my work": "Fy holl waith",
    "Case": "Achos",
    "Choose one": "Dewiswch un",
    "Claim": "Hawlio",
    "Claimed by": "Wedi'i hawlio gan",
    "Day": "Diwrnod",
    "Done": "Wedi'i wneud",
    "Due": "Erbyn",
    "Due in %(minutes)d min": "Erbyn ymhen %(minutes)d munud",
    "Due today": "Erbyn heddiw",
    "Enter your password": "Rhowch eich cyfrinair",
    "Enter your username": "Rhowch eich enw defnyddiwr",
    "Error": "Gwall",
    "For example, 23:30": "Er enghraifft, 23:30",
    "For your security, forms stop working after you sign out or sign in again.": (
        "Er eich diogelwch, mae ffurflenni'n peidio â gweithio ar ôl i chi allgofnodi neu "
        "fewngofnodi eto."
    ),
    "Forgotten your password? Ask your Gwarchod administrator for a new one.": (
        "Wedi anghofio'ch cyfrinair? Gofynnwch i weinyddwr Gwarchod am un newydd."
    ),
    "Give back": "Rhoi'n ôl",
    "Go back and try again.": "Ewch yn ôl a rhowch gynnig arall arni.",
    "Go back, reload the page and send the form again.": (
        "Ewch yn ôl, ail-lwythwch y dudalen ac anfonwch y ffurflen eto."
    ),
    "Go to your inbox": "Ewch i'ch mewnflwch",
    "Gwarchod: stalking and harassment case work. Open source under the GNU AGPL.": (
        "Gwarchod: gwaith achos stelcio ac aflonyddu. Cod agored dan drwydded GNU AGPL."
    ),
    "Hide": "Cuddio",
    "Hide password": "Cuddio'r cyfrinair",
    "If you followed a link to a case or task, it may not be one you can see.": (
        "Os dilynoch chi ddolen i achos neu dasg, efallai nad yw'n un y gallwch ei gweld."
    ),
    "If you tell the service desk, give them this reference: %(reference)s": (
        "Os byddwch yn cysylltu â'r ddesg wasanaeth, rhowch y cyfeirnod hwn iddynt: %(reference)s"
    ),
    "If you typed the web address, check it is correct.": (
        "Os teipioch chi'r cyfeiriad gwe, gwiriwch ei fod yn gywir."
    ),
    "Important": "Pwysig",
    "Inbox": "Mewnflwch",
    # Welsh counts with the singular noun: "3 tasg".
    ("Inbox: %(num)d task", "Inbox: %(num)d tasks"): "Mewnflwch: %(num)d tasg",
    "Menu": "Dewislen",
    "Month": "Mis",
    "Next": "Nesaf",
    "No": "Na",
    "No due time": "Dim amser terfyn",
    "No one": "Neb",
    "No task matches.": "Nid oes tasg yn cyfateb.",
    "Nothing was half saved: try again in a few minutes.": (
        "Ni chafodd dim ei hanner gadw: rhowch gynnig arall arni ymhen ychydig funudau."
    ),
    "Overdue": "Hwyr",
    "Overdue only": "Rhai hwyr yn unig",
    "Page %(page)d of %(pages)d": "Tudalen %(page)d o %(pages)d",
    "Page not found": "Heb ddod o hyd i'r dudalen",
    "Pages of the inbox": "Tudalennau'r mewnflwch",
    "Password": "Cyfrinair",
    "Previous": "Blaenorol",
    "Remove": "Dileu",
    "Send": "Anfon",
    "Send less, or split it up.": "Anfonwch lai, neu rhannwch ef.",
    "Someone else completed this task, or claimed it, while you were working on it, so what "
    "you entered was not sent.": (
        "Mae rhywun arall wedi cwblhau'r dasg hon, neu wedi'i hawlio, tra oeddech chi'n gweithio "
        "arni, felly ni chafodd yr hyn a roesoch ei anfon."
    ),
    "The letter to the victim": "Y llythyr at y dioddefwr",
    "This task": "Y dasg hon",
    "This task has already been dealt with": "Mae'r dasg hon eisoes wedi'i thrin",
    "This task is no longer open.": "Nid yw'r dasg hon ar agor mwyach.",
    "to see what is waiting for you now.": "i weld beth sy'n aros amdanoch nawr.",
    "What to do": "Beth i'w wneud",
    "Show": "Dangos",
    "Show password": "Dangos y cyfrinair",
    "Show tasks": "Dangos tasgau",
    "Sign in": "Mewngofnodi",
    "Sign in to Gwarchod": "Mewngofnodi i Gwarchod",
    "Sign out": "Allgofnodi",
    "Sign out of Gwarchod": "Allgofnodi o Gwarchod",
    "Sign out when you leave this computer, so no one else works as you.": (
        "Allgofnodwch pan fyddwch yn gadael y cyfrifiadur hwn, fel nad oes neb arall yn "
        "gweithio fel chi."
    ),
    "Signed in as %(name)s": "Wedi mewngofnodi fel %(name)s",
    "Skip to main content": "Neidio i'r prif gynnwys",
    "Something you sent could not be used": "Nid oedd modd defnyddio rhywbeth a anfonoch",
    "Sorry, there is a problem with Gwarchod": "Mae'n ddrwg gennym, mae problem gyda Gwarchod",
    "Gwarchod is not available just now": "Nid yw Gwarchod ar gael ar hyn o bryd",
    "Its database cannot be used just now, so nothing you sent was saved.": (
        "Ni ellir defnyddio ei gronfa ddata ar hyn o bryd, felly ni chadwyd dim a anfonwyd gennych."
    ),
    "Try again in a few minutes. If this page stays, tell whoever runs Gwarchod.": (
        "Rhowch gynnig arall arni ymhen ychydig funudau. Os yw'r dudalen hon yn aros, dywedwch "
        "wrth bwy bynnag sy'n rhedeg Gwarchod."
    ),
    "Task": "Tasg",
    "Tasks, soonest due first": "Tasgau, y rhai sydd i'w gwneud gyntaf ar y brig",
    "The username or password is not right": ("Nid yw'r enw defnyddiwr neu'r cyfrinair yn gywir"),
    "There is a problem": "Mae problem",
    "There is nothing in your inbox.": "Nid oes dim yn eich mewnflwch.",
    "This form has expired": "Mae'r ffurflen hon wedi dod i ben",
    "This page cannot be used that way.": "Nid oes modd defnyddio'r dudalen hon yn y ffordd honno.",
    "Time": "Amser",
    "Too many attempts to sign in": "Gormod o ymdrechion i fewngofnodi",
    "For your security, signing in from this computer is paused. Try again in "
    "%(minutes)d minute(s).": (
        "Er eich diogelwch, mae mewngofnodi o'r cyfrifiadur hwn wedi'i oedi. Rhowch gynnig "
        "arall arni ymhen %(minutes)d munud."
    ),
    "Username": "Enw defnyddiwr",
    "What you sent is too large": "Mae'r hyn a anfonoch yn rhy fawr",
    "Work for": "Gwaith i",
    "Year": "Blwyddyn",
    "Yes": "Ie",
    "You": "Chi",
    "You can enter up to %(count)s characters.": "Gallwch ysgrifennu hyd at %(count)s nod.",
    "You cannot do this": "Ni allwch wneud hyn",
    "You have claimed the task.": "Rydych wedi hawlio'r dasg.",
    "You have given the task back.": "Rydych wedi rhoi'r dasg yn ôl.",
    "You have signed out.": "Rydych wedi allgofnodi.",
    "You were signed out because you had not used Gwarchod for a while.": (
        "Cawsoch eich allgofnodi am nad oeddech wedi defnyddio Gwarchod ers tro."
    ),
    "Your password is hidden": "Mae eich cyfrinair wedi'i guddio",
    "Your password is visible": "Mae eich cyfrinair i'w weld",
    "Your roles do not allow it.": "Nid yw eich rolau'n caniatáu hyn.",
    # Signing in with a force account (service/web/oidc.py).
    "Ask your administrator for help.": "Gofynnwch i'ch gweinyddwr am help.",
    "Ask your administrator which roles you should have, and to give you them.": (
        "Gofynnwch i'ch gweinyddwr pa rolau y dylech eu cael, ac i'w rhoi i chi."
    ),
    "Go to the sign-in page": "Ewch i'r dudalen mewngofnodi",
    "Gwarchod could not complete your sign-in with your force's sign-in service.": (
        "Ni allai Gwarchod gwblhau eich mewngofnodi gyda gwasanaeth mewngofnodi eich heddlu."
    ),
    "Or sign in with a Gwarchod username and password": (
        "Neu mewngofnodwch gydag enw defnyddiwr a chyfrinair Gwarchod"
    ),
    "Sign in with your force account": "Mewngofnodi gyda chyfrif eich heddlu",
    "Start again from the sign-in page.": "Dechreuwch eto o'r dudalen mewngofnodi.",
    "This sign-in was not started here, or has expired": (
        "Ni ddechreuwyd y mewngofnodi hwn yma, neu mae wedi dod i ben"
    ),
    "Try again in a few minutes.": "Rhowch gynnig arall arni ymhen ychydig funudau.",
    "Try again, or ask your administrator for help.": (
        "Rhowch gynnig arall arni, neu gofynnwch i'ch gweinyddwr am help."
    ),
    "You cannot sign in to Gwarchod": "Ni allwch fewngofnodi i Gwarchod",
    "You have not signed in": "Nid ydych wedi mewngofnodi",
    "You signed in, but your force account does not give you any role in Gwarchod, so there "
    "is nothing you could do here.": (
        "Rydych wedi mewngofnodi, ond nid yw cyfrif eich heddlu yn rhoi unrhyw rôl i chi yn "
        "Gwarchod, felly nid oes dim y gallech ei wneud yma."
    ),
    "Your force account does not give a username Gwarchod can use.": (
        "Nid yw cyfrif eich heddlu yn rhoi enw defnyddiwr y gall Gwarchod ei ddefnyddio."
    ),
    "Your force account has no Gwarchod role": "Nid oes gan gyfrif eich heddlu rôl yn Gwarchod",
    "Your force's sign-in service could not sign you in.": (
        "Ni allai gwasanaeth mewngofnodi eich heddlu eich mewngofnodi."
    ),
    "Your force's sign-in service did not let you sign in to Gwarchod.": (
        "Ni wnaeth gwasanaeth mewngofnodi eich heddlu adael i chi fewngofnodi i Gwarchod."
    ),
    "Your force's sign-in service is not working": (
        "Nid yw gwasanaeth mewngofnodi eich heddlu yn gweithio"
    ),
    "Your Gwarchod account has been closed. Ask your administrator if you need it.": (
        "Mae eich cyfrif Gwarchod wedi'i gau. Gofynnwch i'ch gweinyddwr os oes ei angen arnoch."
    ),
    # The case page
    "%(action)s by %(who)s": "%(action)s gan %(who)s",
    "%(task)s claimed by %(who)s": "Hawliwyd %(task)s gan %(who)s",
    "%(task)s completed by %(who)s": "Cwblhawyd %(task)s gan %(who)s",
    "%(task)s could not be completed by %(who)s": "Ni fu modd i %(who)s gwblhau %(task)s",
    "%(task)s given back by %(who)s": "Rhoddwyd %(task)s yn ôl gan %(who)s",
    "A letter was sent to the victim.": "Anfonwyd llythyr at y dioddefwr.",
    "Case %(reference)s": "Achos %(reference)s",
    "Case opened by %(who)s, who is not involved in it, until %(until)s": (
        "Agorwyd yr achos gan %(who)s, nad yw'n ymwneud ag ef, tan %(until)s"
    ),
    "Case restricted by %(who)s": "Cyfyngwyd yr achos gan %(who)s",
    "Case started by %(who)s": "Dechreuwyd yr achos gan %(who)s",
    "changed to": "newidiwyd i",
    "Closed": "Ar gau",
    "Due %(when)s": "Erbyn %(when)s",
    "English": "Saesneg",
    "Full reference": "Cyfeirnod llawn",
    "Gwarchod checked the case's timers": "Gwiriodd Gwarchod amseryddion yr achos",
    "In English": "Yn Saesneg",
    "In Welsh": "Yn Gymraeg",
    "Last changed": "Newidiwyd ddiwethaf",
    "Letter sent to the victim:": "Llythyr a anfonwyd at y dioddefwr:",
    "Letters to the victim": "Llythyrau at y dioddefwr",
    "Newest first.": "Y diweddaraf yn gyntaf.",
    "Now open: %(task)s": "Ar agor nawr: %(task)s",
    "Now open: %(task)s, for %(lane)s": "Ar agor nawr: %(task)s (%(lane)s)",
    "Only these people may see it: %(users)s": "Dim ond y bobl hyn gaiff ei weld: %(users)s",
    "Open": "Ar agor",
    "Open tasks": "Tasgau ar agor",
    "Open tasks of this case": "Tasgau'r achos hwn sydd ar agor",
    "Reason: %(reason)s": "Rheswm: %(reason)s",
    "Restriction lifted by %(who)s": "Codwyd y cyfyngiad gan %(who)s",
    "Sent on %(when)s": "Anfonwyd ar %(when)s",
    "STORM reference": "Cyfeirnod STORM",
    "The case is closed.": "Mae'r achos ar gau.",
    "The workflow stopped with an error; nothing was changed.": (
        "Daeth y llif gwaith i ben gyda gwall; ni newidiwyd dim."
    ),
    "This case's workflow stopped with an error. Tell your Gwarchod administrator.": (
        "Daeth llif gwaith yr achos hwn i ben gyda gwall. Rhowch wybod i weinyddwr Gwarchod."
    ),
    "Time reached: %(timers)s": "Daeth yr amser: %(timers)s",
    "Timers": "Amseryddion",
    "Victim's language": "Iaith y dioddefwr",
    "Warning": "Rhybudd",
    "Welsh (Cymraeg)": "Cymraeg",
    "What has happened": "Beth sydd wedi digwydd",
    "Withdrawn: %(task)s": "Tynnwyd yn ôl: %(task)s",
    "You run the service but are not involved in this case, so its personal data, what each "
    "task recorded and the letters to the victim are not shown.": (
        "Rydych yn rhedeg y gwasanaeth ond nid ydych yn ymwneud â'r achos hwn, felly ni ddangosir "
        "ei ddata personol, yr hyn a gofnododd pob tasg na'r llythyrau at y dioddefwr."
    ),
    # The character count under a long text (GOV.UK Frontend fills in the count as one types).
    "You have %%{count} character remaining": "Mae gennych %%{count} nod ar ôl",
    "You have %%{count} characters remaining": "Mae gennych %%{count} nod ar ôl",
    "You have 0 characters remaining": "Mae gennych 0 nod ar ôl",
    "You have %%{count} character too many": "Mae gennych %%{count} nod yn ormod",
    "You have %%{count} characters too many": "Mae gennych %%{count} nod yn ormod",
    "Your answers are kept below. Send them again, or ask your supervisor if this happens again.": (
        "Mae eich atebion wedi'u cadw isod. Anfonwch nhw eto, neu gofynnwch i'ch goruchwyliwr "
        "os bydd hyn yn digwydd eto."
    ),
    "Your force account gives the username %(name)s, but a different account already has that "
    "username in Gwarchod.": (
        "Mae cyfrif eich heddlu yn rhoi'r enw defnyddiwr %(name)s, ond mae gan gyfrif arall yr "
        "enw defnyddiwr hwnnw yn Gwarchod yn barod."
    ),
    # The process owners' workspace.
    "Processes and versions": "Prosesau a fersiynau",
    "New cases start on version %(version)s, deployed by %(who)s on %(when)s. Running cases "
    "stay on the version they started on.": (
        "Mae achosion newydd yn dechrau ar fersiwn %(version)s, a osodwyd gan %(who)s ar "
        "%(when)s. Mae achosion sydd ar waith yn aros ar y fersiwn y dechreuon nhw arni."
    ),
    "unknown": "anhysbys",
    "Nothing has been deployed yet.": "Nid oes dim wedi'i osod eto.",
    "Processes": "Prosesau",
    "Diagram %(file)s.": "Diagram %(file)s.",
    ("%(num)d case running.", "%(num)d cases running."): "%(num)d achos ar waith.",
    "Versions of %(name)s": "Fersiynau %(name)s",
    "Version": "Fersiwn",
    "Content hash": "Stwnsh y cynnwys",
    "Deployed": "Gosodwyd",
    "Cases running": "Achosion ar waith",
    "Latest": "Diweddaraf",
    "Decision tables": "Tablau penderfynu",
    "The latest version has no decision table.": (
        "Nid oes tabl penderfynu yn y fersiwn ddiweddaraf."
    ),
    "Forms": "Ffurflenni",
    # Moving running cases onto another version (service/web/process_owner/migration_routes.py).
    "Move running cases": "Symud achosion ar waith",
    "of %(name)s": "o %(name)s",
    "Moving cases onto version %(version)s": "Symud achosion i fersiwn %(version)s",
    "Choose the version to move the cases onto.": "Dewiswch y fersiwn i symud yr achosion iddi.",
    "Write each line of the mapping as two element ids, the old then the new: '%(line)s' is not.": (
        "Ysgrifennwch bob llinell o'r mapio fel dau ddynodydd elfen, yr hen ac yna'r newydd: "
        "nid yw '%(line)s' felly."
    ),
    "The move has started: the scheduler moves the cases one by one.": (
        "Mae'r symud wedi dechrau: mae'r amserlennydd yn symud yr achosion fesul un."
    ),
    "It waits on a step the new version does not have, and the mapping names none in its place": (
        "Mae'n aros am gam nad yw yn y fersiwn newydd, ac nid yw'r mapio'n enwi un yn ei le"
    ),
    "It has been through a step the new version does not have: name the one that takes its place": (
        "Mae wedi bod drwy gam nad yw yn y fersiwn newydd: enwch yr un sy'n cymryd ei le"
    ),
    "It runs a process the new version does not call from there": (
        "Mae'n rhedeg proses nad yw'r fersiwn newydd yn ei galw o'r fan honno"
    ),
    "It waits on a step that is of another kind in the new version": (
        "Mae'n aros am gam sydd o fath arall yn y fersiwn newydd"
    ),
    "It waits on a timer that is of another kind in the new version": (
        "Mae'n aros am amserydd sydd o fath arall yn y fersiwn newydd"
    ),
    "What it holds no longer passes the new form": (
        "Nid yw'r hyn sydd ganddo'n bodloni'r ffurflen newydd mwyach"
    ),
    "The path it would take cannot be worked out in the new version": (
        "Ni ellir canfod y llwybr y byddai'n ei gymryd yn y fersiwn newydd"
    ),
    "The case is no longer running": "Nid yw'r achos ar waith mwyach",
    "The case is on that version already": "Mae'r achos ar y fersiwn honno eisoes",
    "Cases": "Achosion",
    "From version": "O fersiwn",
    "Outcome": "Canlyniad",
    "What changes, or why not": "Beth sy'n newid, neu pam lai",
    "Can move": "Gellir ei symud",
    "Moved": "Wedi'i symud",
    "Blocked": "Wedi'i rwystro",
    "Failed": "Wedi methu",
    "Waiting": "Yn aros",
    "Its open tasks and timers stay as they are; what it does next follows the new version.": (
        "Mae ei dasgau agored a'i amseryddion yn aros fel y maent; mae'r hyn a wna nesaf yn "
        "dilyn y fersiwn newydd."
    ),
    "Task withdrawn:": "Tasg wedi'i thynnu'n ôl:",
    "Task opened:": "Tasg wedi'i hagor:",
    "Timer rescheduled:": "Amserydd wedi'i aildrefnu:",
    "from %(before)s to %(after)s": "o %(before)s i %(after)s",
    "Running cases stay on the version they started on unless they are moved. Check first "
    "which can move: a case waiting on a step the new version does not have, a timer of "
    "another kind, or answers the new form refuses, stays where it is.": (
        "Mae achosion ar waith yn aros ar y fersiwn y dechreuon nhw arni oni bai eu bod yn cael "
        "eu symud. Gwiriwch yn gyntaf pa rai y gellir eu symud: mae achos sy'n aros am gam nad "
        "yw yn y fersiwn newydd, amserydd o fath arall, neu atebion y mae'r ffurflen newydd yn "
        "eu gwrthod, yn aros lle mae."
    ),
    "Move onto version": "Symud i fersiwn",
    "Mapping (optional)": "Mapio (dewisol)",
    "A line for each step the new version replaces: its element id, then the id of the "
    "element taking its place.": (
        "Llinell ar gyfer pob cam y mae'r fersiwn newydd yn ei ddisodli: dynodydd ei elfen, "
        "yna dynodydd yr elfen sy'n cymryd ei le."
    ),
    "Check the running cases": "Gwirio'r achosion ar waith",
    "What moving them would do": "Beth fyddai eu symud yn ei wneud",
    ("%(num)d case can move.", "%(num)d cases can move."): "Gellir symud %(num)d achos.",
    (
        "%(num)d case is blocked.",
        "%(num)d cases are blocked.",
    ): "Mae %(num)d achos wedi'u rhwystro.",
    "No running case is on another version.": "Nid oes achos ar waith ar fersiwn arall.",
    "Move the cases": "Symud yr achosion",
    "Earlier moves": "Symudiadau cynharach",
    "Onto version %(version)s, by %(who)s on %(when)s": (
        "I fersiwn %(version)s, gan %(who)s ar %(when)s"
    ),
    "Asked by %(who)s on %(when)s.": "Gofynnwyd gan %(who)s ar %(when)s.",
    "Finished.": "Wedi gorffen.",
    "The scheduler is moving the cases: refresh the page to see how far it has got.": (
        "Mae'r amserlennydd yn symud yr achosion: adnewyddwch y dudalen i weld pa mor bell y "
        "mae wedi mynd."
    ),
    "%(done)d of %(total)d": "%(done)d o %(total)d",
    "Mapping": "Mapio",
    # The process owner's editor, compare and form preview.
    "%(added)d added, %(changed)d changed, %(removed)d removed.": (
        "%(added)d wedi'u hychwanegu, %(changed)d wedi'u newid, %(removed)d wedi'u dileu."
    ),
    (
        "%(num)d comment in the XML is gone. The drawing does not keep comments: to keep them, "
        "change the XML itself.",
        "%(num)d comments in the XML are gone. The drawing does not keep comments: to keep "
        "them, change the XML itself.",
    ): (
        "Mae %(num)d sylw yn yr XML wedi mynd. Nid yw'r llun yn cadw sylwadau: i'w cadw, "
        "newidiwch yr XML ei hun."
    ),
    ("%(num)d file differs.", "%(num)d files differ."): "Mae %(num)d ffeil yn wahanol.",
    (
        "%(num)d problem: nothing can be deployed until it is put right",
        "%(num)d problems: nothing can be deployed until they are put right",
    ): "%(num)d problem: ni ellir gosod dim nes eu bod wedi'u cywiro",
    "(none)": "(dim)",
    "A .bpmn or .dmn file of at most %(size)d KiB, from Camunda Modeler or another editor. It "
    "takes the place of the XML above.": (
        "Ffeil .bpmn neu .dmn o %(size)d KiB ar y mwyaf, o Camunda Modeler neu olygydd arall. "
        "Mae'n cymryd lle'r XML uchod."
    ),
    "A diagram, decision table or names file may be at most %(size)d KiB. Nothing was checked "
    "or deployed.": (
        "Gall diagram, tabl penderfynu neu ffeil enwau fod yn %(size)d KiB ar y mwyaf. Ni "
        "chafodd dim ei wirio na'i osod."
    ),
    "A user task reaches the inboxes of the role that works its lane, as the role catalogue "
    "(roles.toml) says. A task in any other lane cannot be deployed.": (
        "Mae tasg defnyddiwr yn cyrraedd mewnflychau'r rôl sy'n gweithio ei lôn, fel y dywed y "
        "catalog rolau (roles.toml). Ni ellir gosod tasg mewn unrhyw lôn arall."
    ),
    "Added": "Ychwanegwyd",
    "After": "Wedyn",
    "An expression giving the time it is due, such as add_working_days(reported_at, 1).": (
        "Mynegiad sy'n rhoi'r amser y mae'n ddyledus, fel add_working_days(reported_at, 1)."
    ),
    "Another round runs while this is true.": "Mae rownd arall yn rhedeg tra bo hyn yn wir.",
    "Association": "Cysylltiad",
    "Attached to": "Ynghlwm wrth",
    "Back to the file": "Yn ôl i'r ffeil",
    "Before": "Cynt",
    "Boundary event": "Digwyddiad ffin",
    "Business rule task": "Tasg rheol busnes",
    "Call activity": "Gweithgaredd galw",
    "Cancel: nothing is deployed": "Canslo: ni chaiff dim ei osod",
    "Case work": "Gwaith achos",
    "Caseworkers reading in Welsh see this name.": (
        "Mae gweithwyr achos sy'n darllen yn Gymraeg yn gweld yr enw hwn."
    ),
    "Change": "Newid",
    "Changed": "Newidiwyd",
    "Changes": "Newidiadau",
    "Changes from version %(before)d to version %(after)d": (
        "Newidiadau o fersiwn %(before)d i fersiwn %(after)d"
    ),
    "Changes to %(file)s": "Newidiadau i %(file)s",
    "Check": "Gwirio",
    "Check what will change": "Gwiriwch beth fydd yn newid",
    "Checked": "Wedi'i wirio",
    "Choose two different versions.": "Dewiswch ddwy fersiwn wahanol.",
    "Collaboration": "Cydweithrediad",
    "Comes from": "Yn dod o",
    "Compare version": "Cymharu fersiwn",
    "Condition": "Amod",
    "Decision": "Penderfyniad",
    "Decision table": "Tabl penderfynu",
    "Default flow": "Llif diofyn",
    "Deploy": "Gosod",
    "Deploy version %(version)s": "Gosod fersiwn %(version)s",
    "Description": "Disgrifiad",
    "Diagram": "Diagram",
    "Due at": "Dyledus am",
    "Due in": "Dyledus ymhen",
    "Each named task, event, gateway and the process itself needs its Welsh name here, by its "
    "id. With JavaScript on, give it in the element's properties.": (
        "Mae angen enw Cymraeg yma ar bob tasg, digwyddiad a phorth ag enw, a'r broses ei hun, yn "
        "ôl ei ddynodydd. Gyda JavaScript ymlaen, rhowch ef ym mhriodweddau'r elfen."
    ),
    "Edit the diagram": "Golygu'r diagram",
    "Element": "Elfen",
    "End event": "Digwyddiad diwedd",
    "Escalation": "Uwchgyfeirio",
    "Expression": "Mynegiad",
    "Flow": "Llif",
    "Form": "Ffurflen",
    "Form %(name)s": "Ffurflen %(name)s",
    "Form layout": "Cynllun y ffurflen",
    "Forms this diagram uses": "Ffurflenni y mae'r diagram hwn yn eu defnyddio",
    "Gateway": "Porth",
    "Go back to the file": "Mynd yn ôl i'r ffeil",
    "Goes to": "Yn mynd i",
    "Hit policy": "Polisi taro",
    "How long after the task opens it is due, such as PT30M or P5D.": (
        "Pa mor hir ar ôl i'r dasg agor y mae'n ddyledus, fel PT30M neu P5D."
    ),
    "Input": "Mewnbwn",
    "Input %(number)d": "Mewnbwn %(number)d",
    "Instructions": "Cyfarwyddiadau",
    "Intermediate event": "Digwyddiad canolradd",
    "Interrupting": "Yn torri ar draws",
    "Its content changed.": "Newidiodd ei gynnwys.",
    "Label": "Label",
    "Lane": "Lôn",
    "Lanes": "Lonydd",
    "Lanes a role works:": "Lonydd y mae rôl yn eu gweithio:",
    "Language of the preview": "Iaith y rhagolwg",
    "Letter to the victim": "Llythyr at y dioddefwr",
    "Loop condition": "Amod y ddolen",
    "Manual task": "Tasg â llaw",
    "Marked on the drawings:": "Wedi'u marcio ar y lluniau:",
    "Message": "Neges",
    "Name": "Enw",
    "No problems found: this can be deployed.": "Ni chafwyd problemau: gellir gosod hwn.",
    "No role works this lane: the task would reach no one.": (
        "Nid oes rôl yn gweithio'r lôn hon: ni fyddai'r dasg yn cyrraedd neb."
    ),
    "No task or start event of the latest version uses this form.": (
        "Nid oes tasg na digwyddiad cychwyn yn y fersiwn ddiweddaraf yn defnyddio'r ffurflen hon."
    ),
    "None.": "Dim.",
    "Not in a lane: put the task in the lane of the role that does it.": (
        "Nid yw mewn lôn: rhowch y dasg yn lôn y rôl sy'n ei gwneud."
    ),
    "Note": "Nodyn",
    "Nothing changed: version %(version)d already holds these files.": (
        "Ni newidiodd dim: mae fersiwn %(version)d eisoes yn cynnwys y ffeiliau hyn."
    ),
    "Nothing has changed: version %(version)s already holds this.": (
        "Nid oes dim wedi newid: mae fersiwn %(version)s eisoes yn cynnwys hyn."
    ),
    "Or open a file from your computer": "Neu agorwch ffeil o'ch cyfrifiadur",
    "Other details (%(key)s)": "Manylion eraill (%(key)s)",
    "Output": "Allbwn",
    "Output %(number)d": "Allbwn %(number)d",
    "Pool": "Pwll",
    "Position on the drawing": "Safle ar y llun",
    "Preview %(form)s": "Rhagweld %(form)s",
    "Preview of the form": "Rhagolwg o'r ffurflen",
    "Process": "Proses",
    "Process called": "Y broses a elwir",
    "Receive task": "Tasg derbyn",
    "Removed": "Dilëwyd",
    "Review and deploy": "Adolygu a gosod",
    "Rule": "Rheol",
    "Rule %(number)d": "Rheol %(number)d",
    "Script": "Sgript",
    "Script after the task": "Sgript ar ôl y dasg",
    "Script before the task": "Sgript cyn y dasg",
    "Script task": "Tasg sgript",
    "See a form as caseworkers will, in English and Welsh.": (
        "Gweld ffurflen fel y bydd gweithwyr achos yn ei gweld, yn Saesneg ac yn Gymraeg."
    ),
    "Send task": "Tasg anfon",
    "Service task": "Tasg gwasanaeth",
    "Show it in:": "Ei dangos yn:",
    "Show the changes": "Dangos y newidiadau",
    "Signal": "Signal",
    "Someone deployed version %(version)s since you looked: below is what your file changes in "
    "it. Check it again before you deploy.": (
        "Gosododd rhywun fersiwn %(version)s ers i chi edrych: isod mae'r hyn y mae eich ffeil "
        "yn ei newid ynddi. Gwiriwch ef eto cyn i chi osod."
    ),
    "Start event": "Digwyddiad cychwyn",
    "Start form": "Ffurflen gychwyn",
    "Sub-process": "Is-broses",
    'Taken when this is true, such as risk_grade == "high".': (
        'Fe\'i dilynir pan fo hyn yn wir, fel risk_grade == "high".'
    ),
    "The XML": "Yr XML",
    "The check found no problems. Deploying makes a new version from version %(version)s with "
    "these changes: new cases start on it, and running cases stay on the version they started "
    "on.": (
        "Ni chafodd y gwiriad unrhyw broblemau. Mae gosod yn gwneud fersiwn newydd o fersiwn "
        "%(version)s gyda'r newidiadau hyn: mae achosion newydd yn dechrau arni, ac mae achosion "
        "sydd ar waith yn aros ar y fersiwn y dechreuon nhw arni."
    ),
    "The decision table's XML": "XML y tabl penderfynu",
    "The diagram after, with what was added or changed marked": (
        "Y diagram wedyn, gyda'r hyn a ychwanegwyd neu a newidiwyd wedi'i farcio"
    ),
    "The diagram before, with what was removed or changed marked": (
        "Y diagram cynt, gyda'r hyn a ddilëwyd neu a newidiwyd wedi'i farcio"
    ),
    "The diagram's XML": "XML y diagram",
    "The drawing": "Y llun",
    "The drawing could not be drawn from this XML. Correct the XML below and check it.": (
        "Nid oedd modd tynnu'r llun o'r XML hwn. Cywirwch yr XML isod a'i wirio."
    ),
    "The file is larger than %(size)d KiB.": "Mae'r ffeil yn fwy na %(size)d KiB.",
    "The file is too large": "Mae'r ffeil yn rhy fawr",
    "The form's schema file, such as live_time_review.schema.json.": (
        "Ffeil sgema'r ffurflen, fel live_time_review.schema.json."
    ),
    "The form, as caseworkers see it": "Y ffurflen, fel y mae gweithwyr achos yn ei gweld",
    "The letter's name, such as charge (letters/charge.en.md and .cy.md).": (
        "Enw'r llythyr, fel charge (letters/charge.en.md a .cy.md)."
    ),
    "The selected element": "Yr elfen a ddewiswyd",
    "The two versions hold the same files.": "Mae'r ddwy fersiwn yn cynnwys yr un ffeiliau.",
    "This file is not well-formed, so it is compared as a whole.": (
        "Nid yw'r ffeil hon wedi'i ffurfio'n dda, felly caiff ei chymharu yn ei chyfanrwydd."
    ),
    "This form has no Welsh yet: caseworkers reading in Welsh see it in English.": (
        "Nid oes Cymraeg i'r ffurflen hon eto: mae gweithwyr achos sy'n darllen yn Gymraeg yn ei "
        "gweld yn Saesneg."
    ),
    "This is a preview: nothing typed here is sent or kept.": (
        "Rhagolwg yw hwn: nid oes dim a deipir yma yn cael ei anfon na'i gadw."
    ),
    "Timer": "Amserydd",
    "Type": "Math",
    "Used by": "Yn cael ei defnyddio gan",
    "User task": "Tasg defnyddiwr",
    "Version %(version)d is deployed: new cases start on it, and running cases stay on the "
    "version they started on.": (
        "Mae fersiwn %(version)d wedi'i gosod: mae achosion newydd yn dechrau arni, ac mae "
        "achosion sydd ar waith yn aros ar y fersiwn y dechreuon nhw arni."
    ),
    "Version %(version)s": "Fersiwn %(version)s",
    # The auditor's diagrams: a case's path and a process's heat map.
    ("%(num)d case", "%(num)d cases"): "%(num)d achos",
    (
        "%(num)d case on version %(version)s started from %(start)s to %(end)s.",
        "%(num)d cases on version %(version)s started from %(start)s to %(end)s.",
    ): "%(num)d achos ar fersiwn %(version)s a ddechreuwyd rhwng %(start)s a %(end)s.",
    (
        "%(num)d case on version %(version)s started from %(start)s.",
        "%(num)d cases on version %(version)s started from %(start)s.",
    ): "%(num)d achos ar fersiwn %(version)s a ddechreuwyd o %(start)s ymlaen.",
    (
        "%(num)d case on version %(version)s started up to %(end)s.",
        "%(num)d cases on version %(version)s started up to %(end)s.",
    ): "%(num)d achos ar fersiwn %(version)s a ddechreuwyd hyd at %(end)s.",
    (
        "%(num)d case on version %(version)s.",
        "%(num)d cases on version %(version)s.",
    ): "%(num)d achos ar fersiwn %(version)s.",
    ("%(num)d day", "%(num)d days"): "%(num)d diwrnod",
    ("%(num)d event", "%(num)d events"): "%(num)d digwyddiad",
    ("%(num)d hour", "%(num)d hours"): "%(num)d awr",
    ("%(num)d minute", "%(num)d minutes"): "%(num)d munud",
    "A decision without a name": "Penderfyniad heb enw",
    "A number from 1 to %(count)d.": "Rhif o 1 i %(count)d.",
    "A number: how many times the case passed the step": (
        "Rhif: sawl gwaith yr aeth yr achos drwy'r cam"
    ),
    "A step is overdue in a case when its deadline passed and it was escalated, or when its "
    "task was done after it was due. The time there is from when a task was opened to when it "
    "was done or withdrawn.": (
        "Mae cam yn hwyr mewn achos pan aeth ei derfyn amser heibio a'i uwchgyfeirio, neu pan "
        "wnaed ei dasg ar ôl y dyddiad dyledus. Mae'r amser yno o'r adeg yr agorwyd tasg hyd at "
        "yr adeg y'i gwnaed neu y'i tynnwyd yn ôl."
    ),
    "A step without a name": "Cam heb enw",
    "An event is given by its number, such as 12.": (
        "Rhoddir digwyddiad yn ôl ei rif, er enghraifft 12."
    ),
    "An event without a name": "Digwyddiad heb enw",
    "As it stood after event %(seq)d of %(count)d.": (
        "Fel yr oedd ar ôl digwyddiad %(seq)d o %(count)d."
    ),
    "At event %(seq)d the case moved from version %(before)s to version %(after)s.": (
        "Yn nigwyddiad %(seq)d symudodd yr achos o fersiwn %(before)s i fersiwn %(after)s."
    ),
    "Cases overdue": "Achosion yn hwyr",
    "Cases started from": "Achosion a ddechreuwyd o",
    "Cases that passed": "Achosion a aeth drwyddo",
    "Cases that passed the step, then how many of them were overdue": (
        "Yr achosion a aeth drwy'r cam, yna faint ohonynt oedd yn hwyr"
    ),
    "Choose a version that holds this process.": "Dewiswch fersiwn sy'n cynnwys y broses hon.",
    "Deadline passed": "Terfyn amser wedi mynd heibio",
    "Decision taken": "Penderfyniad wedi'i wneud",
    "Done: the case passed this step (green)": (
        "Wedi'i wneud: aeth yr achos drwy'r cam hwn (gwyrdd)"
    ),
    "Drawn on version %(version)s of the diagram. Only the steps the history names are marked: "
    "tasks, deadlines and decisions.": (
        "Wedi'i dynnu ar fersiwn %(version)s o'r diagram. Dim ond y camau a enwir yn yr hanes "
        "sydd wedi'u marcio: tasgau, terfynau amser a phenderfyniadau."
    ),
    "Escalated": "Wedi'i uwchgyfeirio",
    "Escalated: its deadline passed and it was escalated (red)": (
        "Wedi'i uwchgyfeirio: aeth ei derfyn amser heibio a chafodd ei uwchgyfeirio (coch)"
    ),
    "Event": "Digwyddiad",
    "Event %(seq)d": "Digwyddiad %(seq)d",
    "Events": "Digwyddiadau",
    "First reached": "Cyrhaeddwyd gyntaf",
    "For each process, a heat map on its diagram: how many cases passed each step, how long "
    "they stayed there and how many were overdue.": (
        "Ar gyfer pob proses, map gwres ar ei diagram: faint o achosion a aeth drwy bob cam, pa "
        "mor hir y buont yno a faint oedd yn hwyr."
    ),
    "For example, 2026-12-01": "Er enghraifft, 2026-12-01",
    "For example, 2026-12-31": "Er enghraifft, 2026-12-31",
    "Heat map: %(process)s": "Map gwres: %(process)s",
    "In a process this one calls": "Mewn proses y mae hon yn ei galw",
    "Key": "Allwedd",
    "Last left": "Gadawyd ddiwethaf",
    "Median time there": "Amser canolrifol yno",
    "No case in this choice has reached a task, timer or decision.": (
        "Nid oes yr un achos yn y dewis hwn wedi cyrraedd tasg, amserydd na phenderfyniad."
    ),
    "No case passed this step.": "Nid aeth yr un achos drwy'r cam hwn.",
    "Not left yet": "Heb adael eto",
    "Processes on the diagram": "Prosesau ar y diagram",
    "Across cases:": "Ar draws achosion:",
    "where the cases of a process went, step by step, as a heat map on its diagram": (
        "ble aeth achosion proses, gam wrth gam, fel map gwres ar ei diagram"
    ),
    "See the path the case has taken so far": "Gweld y llwybr y mae'r achos wedi'i gymryd hyd yma",
    "See the whole path": "Gweld y llwybr cyfan",
    "Select a step on the diagram to list its events.": (
        "Dewiswch gam ar y diagram i restru ei ddigwyddiadau."
    ),
    "Show the heat map": "Dangos y map gwres",
    "Show the path as it stood after event": "Dangos y llwybr fel yr oedd ar ôl digwyddiad",
    "Status": "Statws",
    "Step": "Cam",
    "Task claimed": "Tasg wedi'i hawlio",
    "Task completed": "Tasg wedi'i chwblhau",
    "Task given back": "Tasg wedi'i rhoi'n ôl",
    "Task given to an officer": "Tasg wedi'i rhoi i swyddog",
    "Task opened": "Tasg wedi'i hagor",
    "Task withdrawn": "Tasg wedi'i thynnu'n ôl",
    "The case has not passed this step.": "Nid yw'r achos wedi mynd drwy'r cam hwn.",
    "The case has not reached a task, timer or decision yet.": (
        "Nid yw'r achos wedi cyrraedd tasg, amserydd na phenderfyniad eto."
    ),
    "The case is here": "Mae'r achos yma",
    "The case is here: the task is open now (blue, thick outline)": (
        "Mae'r achos yma: mae'r dasg ar agor nawr (glas, amlinell drwchus)"
    ),
    "The darker the step, the more cases passed it": (
        "Po dywyllaf y cam, mwyaf o achosion a aeth drwyddo"
    ),
    "The diagram could not be drawn: the table below lists the same steps.": (
        "Nid oedd modd tynnu'r diagram: mae'r tabl isod yn rhestru'r un camau."
    ),
    "The diagram could not go on": "Nid oedd modd i'r diagram fynd ymlaen",
    "The diagram of %(process)s, marked as the table below lists.": (
        "Diagram %(process)s, wedi'i farcio fel y mae'r tabl isod yn ei restru."
    ),
    "The first day must be a real date, such as 2026-12-01.": (
        "Rhaid i'r diwrnod cyntaf fod yn ddyddiad go iawn, er enghraifft 2026-12-01."
    ),
    "The last day must be a real date, such as 2026-12-31.": (
        "Rhaid i'r diwrnod olaf fod yn ddyddiad go iawn, er enghraifft 2026-12-31."
    ),
    "The last day must be the same as or after the first day.": (
        "Rhaid i'r diwrnod olaf fod yr un fath â'r diwrnod cyntaf neu ar ei ôl."
    ),
    "The path of case %(reference)s": "Llwybr achos %(reference)s",
    "The path the case took": "Y llwybr a gymerodd yr achos",
    (
        "The whole path, from the %(num)d event of its history.",
        "The whole path, from the %(num)d events of its history.",
    ): "Y llwybr cyfan, o %(num)d digwyddiad ei hanes.",
    "There is no such event": "Nid oes digwyddiad o'r fath",
    "This case's history has %(count)d events: choose one from 1 to %(count)d.": (
        "Mae gan hanes yr achos hwn %(count)d digwyddiad: dewiswch un o 1 i %(count)d."
    ),
    "Times passed": "Sawl gwaith",
    "Under a minute": "Llai na munud",
    "Versions": "Fersiynau",
    ("Where %(num)d case went", "Where %(num)d cases went"): "Ble aeth %(num)d achos",
    "Withdrawn": "Wedi'i dynnu'n ôl",
    "Withdrawn: the task was closed before it was done (grey, dashed outline)": (
        "Wedi'i dynnu'n ôl: caewyd y dasg cyn iddi gael ei gwneud (llwyd, amlinell doredig)"
    ),
    "of %(step)s": "ar gyfer %(step)s",
    "Cases started up to and including": "Achosion a ddechreuwyd hyd at a chan gynnwys",
    "Welsh name": "Enw Cymraeg",
    "Welsh names": "Enwau Cymraeg",
    "Welsh names of the diagram's elements": "Enwau Cymraeg elfennau'r diagram",
    "What changed": "Beth newidiodd",
    "With JavaScript on, the drawing above keeps this up to date; what you type here is drawn "
    "when you leave the box.": (
        "Gyda JavaScript ymlaen, mae'r llun uchod yn cadw hwn yn gyfredol; caiff yr hyn a "
        "deipiwch yma ei dynnu pan fyddwch yn gadael y blwch."
    ),
    "Worked by:": "Yn cael ei gweithio gan:",
    "You are changing version %(version)s, the latest, deployed by %(who)s on %(when)s. "
    "Checking and deploying lay this file over it; its other files stay as they are.": (
        "Rydych yn newid fersiwn %(version)s, y ddiweddaraf, a osodwyd gan %(who)s ar %(when)s. "
        "Mae gwirio a gosod yn gosod y ffeil hon dros honno; mae ei ffeiliau eraill yn aros fel "
        "y maent."
    ),
    "from version %(before)s to version %(after)s": "o fersiwn %(before)s i fersiwn %(after)s",
    "line %(line)d": "llinell %(line)d",
    "with version": "gyda fersiwn",
    # A case's timeline.
    "%(task)s given to %(assignee)s by %(who)s": "%(task)s wedi'i rhoi i %(assignee)s gan %(who)s",
    "Case moved from version %(before)s to version %(after)s of its process by %(who)s": (
        "Achos wedi'i symud o fersiwn %(before)s i fersiwn %(after)s o'i broses gan %(who)s"
    ),
    # A new process, from the process owner's workspace.
    "New process": "Proses newydd",
    "Enter the process's name": "Rhowch enw'r broses",
    "Enter the process's name in Welsh": "Rhowch enw'r broses yn Gymraeg",
    "Process id": "Dynodydd y broses",
    "Enter an id for the process": "Rhowch ddynodydd i'r broses",
    "Lane the process is started in": "Y lôn y dechreuir y broses ynddi",
    "Enter an id of lower-case letters, digits and underscores, starting with a letter, such "
    "as anti_social_behaviour": (
        "Rhowch ddynodydd o lythrennau bach, digidau a thanlinellau, yn dechrau â llythyren, fel "
        "anti_social_behaviour"
    ),
    "A process with the id %(id)s exists already: choose another": (
        "Mae proses â'r dynodydd %(id)s yn bod yn barod: dewiswch un arall"
    ),
    "Choose the lane the process is started in": "Dewiswch y lôn y dechreuir y broses ynddi",
    "Nothing has been deployed yet": "Nid oes dim wedi'i osod eto",
    "Load the process definitions first: new processes are added to them.": (
        "Llwythwch ddiffiniadau'r prosesau yn gyntaf: ychwanegir prosesau newydd atynt."
    ),
    "A new process starts as a diagram with a start and an end, in the lane its cases are "
    "started in. It opens in the diagram editor to be drawn, checked and deployed; nothing is "
    "kept until it is deployed.": (
        "Mae proses newydd yn dechrau fel diagram â dechrau a diwedd, yn y lôn y dechreuir ei "
        "hachosion ynddi. Mae'n agor yn y golygydd diagramau i'w thynnu, ei gwirio a'i gosod; ni "
        "chaiff dim ei gadw nes iddi gael ei gosod."
    ),
    "As caseworkers will see it in English, such as Anti-social behaviour case.": (
        "Fel y bydd gweithwyr achos yn ei gweld yn Saesneg, fel Anti-social behaviour case."
    ),
    "As caseworkers will see it in Welsh.": "Fel y bydd gweithwyr achos yn ei gweld yn Gymraeg.",
    "Lower-case letters, digits and underscores, starting with a letter, such as "
    "anti_social_behaviour. It names the process in the API and its diagram's file, and cannot "
    "be changed once deployed.": (
        "Llythrennau bach, digidau a thanlinellau, yn dechrau â llythyren, fel "
        "anti_social_behaviour. Mae'n enwi'r broses yn yr API a ffeil ei diagram, ac ni ellir ei "
        "newid ar ôl ei gosod."
    ),
    "Worked by: %(role)s": "Yn cael ei gweithio gan: %(role)s",
    "Its start event is in this lane: the role that works it starts its cases.": (
        "Mae ei digwyddiad cychwyn yn y lôn hon: y rôl sy'n ei gweithio sy'n dechrau ei hachosion."
    ),
    "Open it in the diagram editor": "Ei hagor yn y golygydd diagramau",
    "This process is new: draw it here, then check it and deploy it. Its diagram is laid over "
    "version %(version)s, the latest, whose files stay as they are; until it is deployed, "
    "nothing is kept.": (
        "Mae'r broses hon yn newydd: tynnwch hi yma, yna gwiriwch hi a'i gosod. Caiff ei diagram "
        "ei osod dros fersiwn %(version)s, y ddiweddaraf, ac mae ei ffeiliau'n aros fel y maent; "
        "ni chaiff dim ei gadw nes iddi gael ei gosod."
    ),
    "Back to the diagram": "Yn ôl i'r diagram",
    # The auditor's workspace (service/web/auditor/routes.py, history.py).
    "Audit": "Archwilio",
    "Read what happened on a case and who decided, check that its history is intact, see the "
    "case as it was at any moment and replay it.": (
        "Darllenwch beth ddigwyddodd ar achos a phwy a benderfynodd, gwiriwch fod ei hanes yn "
        "gyfan, gwelwch yr achos fel yr oedd ar unrhyw adeg a'i ailchwarae."
    ),
    "Find a case": "Dod o hyd i achos",
    "Its reference (the first 8 characters), its full reference or its STORM reference": (
        "Ei gyfeirnod (yr 8 nod cyntaf), ei gyfeirnod llawn neu ei gyfeirnod STORM"
    ),
    "Find": "Chwilio",
    ("%(num)d case found", "%(num)d cases found"): "Cafwyd hyd i %(num)d achos",
    "No case you may read has that reference.": (
        "Nid oes gan yr un achos y cewch ei ddarllen y cyfeirnod hwnnw."
    ),
    "Cases changed last": "Yr achosion a newidiwyd ddiwethaf",
    "History of case": "Hanes achos",
    "History of case %(reference)s": "Hanes achos %(reference)s",
    "Integrity": "Cywirdeb",
    "Intact": "Cyfan",
    ("Intact: %(num)d event, verified now", "Intact: %(num)d events, verified now"): (
        "Cyfan: %(num)d digwyddiad, wedi'u gwirio nawr"
    ),
    "Every event's hash was worked out again at %(when)s and matches, with its place in the "
    "chain.": (
        "Cyfrifwyd stwnsh pob digwyddiad eto am %(when)s ac mae'n cyfateb, gyda'i le yn y gadwyn."
    ),
    ("%(num)d checkpoint checked.", "%(num)d checkpoints checked."): (
        "Gwiriwyd %(num)d pwynt gwirio."
    ),
    "Altered": "Wedi'i newid",
    "Altered at event %(seq)s: %(what)s": "Wedi'i newid yn nigwyddiad %(seq)s: %(what)s",
    "Checked at %(when)s. Events before it are intact.": (
        "Gwiriwyd am %(when)s. Mae'r digwyddiadau cyn hynny'n gyfan."
    ),
    "The check's own words:": "Geiriau'r gwiriad ei hun:",
    "An event is missing from the history.": "Mae digwyddiad ar goll o'r hanes.",
    "The events are out of order.": "Mae'r digwyddiadau allan o drefn.",
    "The case's saved state is not the one its history recorded.": (
        "Nid cyflwr cadw'r achos yw'r un a gofnodwyd gan ei hanes."
    ),
    "An event does not match its hash: it was changed.": (
        "Nid yw digwyddiad yn cyfateb i'w stwnsh: cafodd ei newid."
    ),
    "The history does not match its hashes.": "Nid yw'r hanes yn cyfateb i'w stwnshis.",
    "Status now": "Statws nawr",
    "Replay the history": "Ailchwarae'r hanes",
    "Download the history (JSON)": "Lawrlwytho'r hanes (JSON)",
    "Download the history (CSV)": "Lawrlwytho'r hanes (CSV)",
    "Printable history": "Hanes i'w argraffu",
    "Find another case": "Dod o hyd i achos arall",
    "The case as it was after event %(seq)d": "Yr achos fel yr oedd ar ôl digwyddiad %(seq)d",
    "Rebuilt from the history as it stood on %(when)s. Below, only what had happened by then.": (
        "Wedi'i ailadeiladu o'r hanes fel yr oedd ar %(when)s. Isod, dim ond yr hyn a oedd "
        "wedi digwydd erbyn hynny."
    ),
    "Rebuilding it found a difference with what was recorded:": (
        "Wrth ei ailadeiladu cafwyd gwahaniaeth â'r hyn a gofnodwyd:"
    ),
    "Status then": "Statws bryd hynny",
    "Open tasks then": "Tasgau ar agor bryd hynny",
    "for %(lane)s": "i %(lane)s",
    "claimed by %(name)s": "wedi'i hawlio gan %(name)s",
    "No task was open.": "Nid oedd tasg ar agor.",
    "The case's data then": "Data'r achos bryd hynny",
    "Back to the case as it is now": "Yn ôl at yr achos fel y mae nawr",
    "See the case at a moment": "Gweld yr achos ar adeg benodol",
    "Europe/London time. The case as the last event by then left it.": (
        "Amser Ewrop/Llundain. Yr achos fel y gadawodd y digwyddiad olaf erbyn hynny ef."
    ),
    "Time (24-hour, such as 14:30)": "Amser (24 awr, er enghraifft 14:30)",
    "Show the case then": "Dangos yr achos bryd hynny",
    "What happened": "Beth ddigwyddodd",
    "Show only": "Dangos dim ond",
    "Choose none to see everything.": "Peidiwch â dewis dim i weld popeth.",
    "Everyone": "Pawb",
    "Done by": "Gwnaed gan",
    "Filter": "Hidlo",
    "Oldest first. Showing %(shown)d of %(total)d entries.": (
        "Yr hynaf yn gyntaf. Yn dangos %(shown)d o %(total)d cofnod."
    ),
    "Work on tasks": "Gwaith ar dasgau",
    "Decisions": "Penderfyniadau",
    "Escalations": "Uwchgyfeirio",
    "Refusals and errors": "Gwrthodiadau a gwallau",
    "Moves to another version": "Symud i fersiwn arall",
    "Restrictions and access": "Cyfyngiadau a mynediad",
    "Reads": "Darlleniadau",
    "Events %(first)d to %(last)d": "Digwyddiadau %(first)d i %(last)d",
    "On:": "Ar sail:",
    "Rule that matched:": "Y rheol a gyfatebodd:",
    "Answer:": "Ateb:",
    "The letter as sent:": "Y llythyr fel y'i anfonwyd:",
    "See the case as it was then": "Gweld yr achos fel yr oedd bryd hynny",
    "after event %(seq)d": "ar ôl digwyddiad %(seq)d",
    "Printed": "Argraffwyd",
    "Print this page from your browser; the menu and links are left out.": (
        "Argraffwch y dudalen hon o'ch porwr; mae'r ddewislen a'r dolenni'n cael eu gadael allan."
    ),
    "Back to the case's history": "Yn ôl at hanes yr achos",
    "Replay of case": "Ailchwarae achos",
    "Replay of case %(reference)s": "Ailchwarae achos %(reference)s",
    "Replay": "Ailchwarae",
    "Reproduced": "Wedi'i atgynhyrchu",
    "The recorded commands reproduce the stored case.": (
        "Mae'r gorchmynion a gofnodwyd yn atgynhyrchu'r achos a gadwyd."
    ),
    (
        "%(num)d command was run again at its recorded time, from the case's first event to its "
        "event %(events)d; the case it made has the stored status, data, open tasks and path.",
        "%(num)d commands were run again, one after the other, at their recorded times, from the "
        "case's first event to its event %(events)d; the case they made has the stored status, "
        "data, open tasks and path.",
    ): (
        "Rhedwyd %(num)d gorchymyn eto, y naill ar ôl y llall, ar eu hamseroedd a gofnodwyd, o "
        "ddigwyddiad cyntaf yr achos i'w ddigwyddiad %(events)d; mae gan yr achos a wnaethant y "
        "statws, y data, y tasgau agored a'r llwybr a gadwyd."
    ),
    ("%(num)d checkpoint on the way matched.", "%(num)d checkpoints on the way matched."): (
        "Roedd %(num)d pwynt gwirio ar y ffordd yn cyfateb."
    ),
    "Not reproduced": "Heb ei atgynhyrchu",
    "The recorded commands do not reproduce the stored case.": (
        "Nid yw'r gorchmynion a gofnodwyd yn atgynhyrchu'r achos a gadwyd."
    ),
    "The recorded commands do not reproduce the stored case: first at event %(seq)s.": (
        "Nid yw'r gorchmynion a gofnodwyd yn atgynhyrchu'r achos a gadwyd: yn gyntaf yn "
        "nigwyddiad %(seq)s."
    ),
    "What differs": "Beth sy'n wahanol",
    "Recorded": "Wedi'i gofnodi",
    "Replayed": "Wedi'i ailchwarae",
    "The case's status": "Statws yr achos",
    "The open tasks": "Y tasgau agored",
    "See the path on its own page": "Gweld y llwybr ar ei dudalen ei hun",
    "The events the command caused": "Y digwyddiadau a achoswyd gan y gorchymyn",
    "The history itself": "Yr hanes ei hun",
    "Events are numbered from 1. Choose an event from the history.": (
        "Mae digwyddiadau wedi'u rhifo o 1. Dewiswch ddigwyddiad o'r hanes."
    ),
    "The history of this case has %(count)d events: there is no event %(seq)s.": (
        "Mae gan hanes yr achos hwn %(count)d digwyddiad: nid oes digwyddiad %(seq)s."
    ),
    "That is not a date and time": "Nid yw hwnnw'n ddyddiad ac amser",
    "Enter a real date, such as 27 3 2026, and a time such as 14:30.": (
        "Rhowch ddyddiad go iawn, er enghraifft 27 3 2026, ac amser fel 14:30."
    ),
    "The case had not begun then": "Nid oedd yr achos wedi dechrau bryd hynny",
    "Choose a time after the case began.": "Dewiswch amser ar ôl i'r achos ddechrau.",
    "The case cannot be shown as it was then": ("Ni ellir dangos yr achos fel yr oedd bryd hynny"),
    "Its history cannot be read up to that moment.": (
        "Ni ellir darllen ei hanes hyd at yr adeg honno."
    ),
    "%(count)d letter(s)": "%(count)d llythyr",
    "Letters sent to the victim": "Llythyrau a anfonwyd at y dioddefwr",
    "Decision: %(name)s": "Penderfyniad: %(name)s",
    "A decision table": "Tabl penderfyniadau",
    "An input": "Mewnbwn",
    "withheld": "wedi'i atal",
    "worked out by the table from the case's data": "wedi'i gyfrifo gan y tabl o ddata'r achos",
    "Way taken at %(gateway)s: %(ways)s": "Y ffordd a gymerwyd yn %(gateway)s: %(ways)s",
    "Timer set: %(timer)s, due %(due)s": "Amserydd wedi'i osod: %(timer)s, erbyn %(due)s",
    "Timer cancelled: %(timer)s": "Amserydd wedi'i ganslo: %(timer)s",
    "Timer worked out again: %(timer)s": "Amserydd wedi'i gyfrifo eto: %(timer)s",
    "Escalated: the time allowed ran out.": (
        "Wedi'i uwchgyfeirio: daeth yr amser a ganiateir i ben."
    ),
    "%(who)s looked at the case": "Edrychodd %(who)s ar yr achos",
    "%(who)s looked at a task of the case": "Edrychodd %(who)s ar un o dasgau'r achos",
    "%(who)s read the case's history": "Darllenodd %(who)s hanes yr achos",
    "%(who)s took the history away as %(format)s": "Lawrlwythodd %(who)s yr hanes fel %(format)s",
    "%(who)s checked the history is intact": "Gwiriodd %(who)s fod yr hanes yn gyfan",
    "%(who)s replayed the history": "Ailchwaraeodd %(who)s yr hanes",
    "%(who)s looked at the case as it was at event %(seq)s": (
        "Edrychodd %(who)s ar yr achos fel yr oedd yn nigwyddiad %(seq)s"
    ),
    "%(who)s looked at the case as it was at a past moment": (
        "Edrychodd %(who)s ar yr achos fel yr oedd ar adeg yn y gorffennol"
    ),
    "%(who)s printed the case's history": "Argraffodd %(who)s hanes yr achos",
    "%(who)s looked at who may see the case": "Edrychodd %(who)s ar bwy gaiff weld yr achos",
    "%(who)s read who has looked at the case": (
        "Darllenodd %(who)s pwy sydd wedi edrych ar yr achos"
    ),
    "%(who)s read the case": "Darllenodd %(who)s yr achos",
    "%(who)s was refused the case": "Gwrthodwyd yr achos i %(who)s",
    # Problems in process owners' files (workflows/problems.py), as Check lists them.
    "more than %(count)d files": "mwy na %(count)d o ffeiliau",
    "not a definition file: expected .bpmn, .bpmn.cy.json, .dmn, forms/*.json or letters/*.md": (
        "nid yw'n ffeil diffiniadau: disgwylir .bpmn, .bpmn.cy.json, .dmn, forms/*.json neu "
        "letters/*.md"
    ),
    "neither a BPMN nor a DMN document": "nid yw'n ddogfen BPMN nac yn ddogfen DMN",
    "the file is larger than %(kib)d KiB": "mae'r ffeil yn fwy na %(kib)d KiB",
    "the file chosen is not UTF-8 text": "nid yw'r ffeil a ddewiswyd yn destun UTF-8",
    "not well-formed XML: %(detail)s": "nid yw'r XML wedi'i ffurfio'n dda: %(detail)s",
    "DOCTYPE and entity declarations are not allowed in definitions": (
        "ni chaniateir datganiadau DOCTYPE nac endidau mewn diffiniadau"
    ),
    "not valid JSON: %(detail)s": "nid yw'n JSON dilys: %(detail)s",
    "must be a JSON object": "rhaid iddo fod yn wrthrych JSON",
    'no executable process: mark the process isExecutable="true"': (
        'dim proses y gellir ei rhedeg: marciwch y broses isExecutable="true"'
    ),
    "the script task has no script": "nid oes sgript gan y dasg sgript",
    "calls process '%(process)s', which is not defined": (
        "mae'n galw'r broses '%(process)s', nad yw wedi'i diffinio"
    ),
    "uses decision table '%(decision)s', which is not defined": (
        "mae'n defnyddio'r tabl penderfynu '%(decision)s', nad yw wedi'i ddiffinio"
    ),
    "the process calls itself through call activities, so it would never end": (
        "mae'r broses yn ei galw ei hun drwy weithgareddau galw, felly ni fyddai byth yn dod i ben"
    ),
    "the user task is not in a lane": "nid yw'r dasg defnyddiwr mewn lôn",
    "the user task names no form (%(property)s)": (
        "nid yw'r dasg defnyddiwr yn enwi ffurflen (%(property)s)"
    ),
    "the user task is in lane '%(lane)s', which no role in the role catalogue works; lanes are: "
    "%(lanes)s": (
        "mae'r dasg defnyddiwr yn y lôn '%(lane)s', ac nid oes rôl yn y catalog rolau yn ei "
        "gweithio; y lonydd yw: %(lanes)s"
    ),
    "the start event is in lane '%(lane)s', which no role in the role catalogue works; lanes "
    "are: %(lanes)s": (
        "mae'r digwyddiad cychwyn yn y lôn '%(lane)s', ac nid oes rôl yn y catalog rolau yn ei "
        "gweithio; y lonydd yw: %(lanes)s"
    ),
    "form '%(form)s' must be a *%(suffix)s file": (
        "rhaid i'r ffurflen '%(form)s' fod yn ffeil *%(suffix)s"
    ),
    "form '%(form)s' is not valid (see its problems)": (
        "nid yw'r ffurflen '%(form)s' yn ddilys (gweler ei phroblemau)"
    ),
    "form '%(form)s' does not exist": "nid yw'r ffurflen '%(form)s' yn bodoli",
    "the task sends the letter '%(letter)s', but there is no %(folder)s%(letter)s.en.md or "
    ".cy.md": (
        "mae'r dasg yn anfon y llythyr '%(letter)s', ond nid oes %(folder)s%(letter)s.en.md na "
        ".cy.md"
    ),
    "instructions: %(detail)s": "cyfarwyddiadau: %(detail)s",
    "Welsh instructions: %(detail)s": "cyfarwyddiadau Cymraeg: %(detail)s",
    "script: %(detail)s": "sgript: %(detail)s",
    "condition: %(detail)s": "amod: %(detail)s",
    "preScript: %(detail)s": "sgript cyn y dasg (preScript): %(detail)s",
    "postScript: %(detail)s": "sgript ar ôl y dasg (postScript): %(detail)s",
    "dueAt: %(detail)s": "dyledus am (dueAt): %(detail)s",
    "dueIn expression: %(detail)s": "mynegiad dyledus ymhen (dueIn): %(detail)s",
    "dueIn: %(detail)s": "dyledus ymhen (dueIn): %(detail)s",
    "timer expression: %(detail)s": "mynegiad yr amserydd: %(detail)s",
    "timer: %(detail)s": "amserydd: %(detail)s",
    "the timer's %(kind)s is empty": "mae %(kind)s yr amserydd yn wag",
    "'%(value)s' is not a valid ISO 8601 %(kind)s; for example %(example)s": (
        "nid yw '%(value)s' yn %(kind)s ISO 8601 dilys; er enghraifft %(example)s"
    ),
    "'%(value)s' is not a valid ISO 8601 %(kind)s: %(detail)s": (
        "nid yw '%(value)s' yn %(kind)s ISO 8601 dilys: %(detail)s"
    ),
    "the date '%(value)s' has no UTC offset, so it would be read in the server's time zone; "
    "write it as '%(value)sZ' for UTC or with an offset such as '%(value)s+01:00'": (
        "nid oes gwrthbwyso UTC gan y dyddiad '%(value)s', felly byddai'n cael ei ddarllen yng "
        "nghylchfa amser y gweinydd; ysgrifennwch ef fel '%(value)sZ' ar gyfer UTC neu gyda "
        "gwrthbwyso fel '%(value)s+01:00'"
    ),
    "the engine refuses this: %(detail)s": "mae'r injan yn gwrthod hyn: %(detail)s",
    "the engine cannot read this process: %(detail)s": (
        "ni all yr injan ddarllen y broses hon: %(detail)s"
    ),
    "input expression: %(detail)s": "mynegiad mewnbwn: %(detail)s",
    "input cell: %(detail)s": "cell fewnbwn: %(detail)s",
    "output cell: %(detail)s": "cell allbwn: %(detail)s",
    "there is no diagram of this name for these names": (
        "nid oes diagram o'r enw hwn ar gyfer yr enwau hyn"
    ),
    "the Welsh names for this diagram are missing": "mae enwau Cymraeg y diagram hwn ar goll",
    'must be {"names": {element id: Welsh name as text, ...}}': (
        'rhaid iddo fod yn {"names": {dynodydd elfen: enw Cymraeg fel testun, ...}}'
    ),
    "no Welsh name for '%(name)s'": "dim enw Cymraeg ar gyfer '%(name)s'",
    "names an element the diagram does not have, or one with no name": (
        "mae'n enwi elfen nad yw yn y diagram, neu un heb enw"
    ),
    "not a form file: names end in %(suffixes)s": (
        "nid yw'n ffeil ffurflen: mae'r enwau'n gorffen â %(suffixes)s"
    ),
    "there is no form schema %(schema)s": "nid oes sgema ffurflen %(schema)s",
    "the form file is missing": "mae ffeil y ffurflen ar goll",
    "not a valid JSON Schema (Draft 2020-12) at %(where)s: %(detail)s": (
        "nid yw'n JSON Schema dilys (Draft 2020-12) yn %(where)s: %(detail)s"
    ),
    'a form schema must have "type": "object"': 'rhaid i sgema ffurflen gael "type": "object"',
    '"pattern" at %(pointer)s needs "examples": values written the right way': (
        'mae angen "examples" ar "pattern" yn %(pointer)s: gwerthoedd wedi\'u hysgrifennu\'r '
        "ffordd gywir"
    ),
    '"pattern" at %(pointer)s is not a regular expression: %(detail)s': (
        'nid yw "pattern" yn %(pointer)s yn fynegiad rheolaidd: %(detail)s'
    ),
    '"pattern" at %(pointer)s: the example %(example)s does not match it': (
        '"pattern" yn %(pointer)s: nid yw\'r enghraifft %(example)s yn cyfateb iddo'
    ),
    '"justification" at %(pointer)s must be true (or left out)': (
        'rhaid i "justification" yn %(pointer)s fod yn true (neu gael ei adael allan)'
    ),
    '"justification" at %(pointer)s is only for a text field, with "type": "string"': (
        'mae "justification" yn %(pointer)s ar gyfer maes testun yn unig, gyda "type": "string"'
    ),
    '"match" at %(pointer)s must be one of %(kinds)s': (
        'rhaid i "match" yn %(pointer)s fod yn un o %(kinds)s'
    ),
    '"match" at %(pointer)s is only for a text field, with "type": "string"': (
        'mae "match" yn %(pointer)s ar gyfer maes testun yn unig, gyda "type": "string"'
    ),
    '"match" is only for fields reached through "properties" and "items"': (
        'mae "match" ar gyfer meysydd a gyrhaeddir drwy "properties" ac "items" yn unig'
    ),
    "the Welsh text for this form is missing": "mae testun Cymraeg y ffurflen hon ar goll",
    "'%(part)s' must map JSON pointers to Welsh text": (
        "rhaid i '%(part)s' gysylltu pwyntyddion JSON â thestun Cymraeg"
    ),
    "no Welsh text for %(part)s %(pointer)s": "dim testun Cymraeg ar gyfer %(part)s %(pointer)s",
    "%(part)s %(pointer)s points at nothing in the form": (
        "nid yw %(part)s %(pointer)s yn pwyntio at ddim yn y ffurflen"
    ),
    "must be a JSON list of rules": "rhaid iddo fod yn rhestr JSON o reolau",
    "rule %(number)d": "rheol %(number)d",
    "rule %(number)d (%(field)s)": "rheol %(number)d (%(field)s)",
    "%(rule)s: must be an object with %(keys)s": (
        "%(rule)s: rhaid iddi fod yn wrthrych gyda %(keys)s"
    ),
    "%(rule)s: unknown keys %(keys)s": "%(rule)s: allweddi anhysbys %(keys)s",
    "%(rule)s: 'field' must name a field of the form": (
        "%(rule)s: rhaid i 'field' enwi maes yn y ffurflen"
    ),
    "%(rule)s: '%(field)s' is not a field of the form": (
        "%(rule)s: nid yw '%(field)s' yn faes yn y ffurflen"
    ),
    "%(rule)s: 'when' must be an expression (true when the rule is broken)": (
        "%(rule)s: rhaid i 'when' fod yn fynegiad (gwir pan fydd y rheol wedi'i thorri)"
    ),
    "%(rule)s: when: %(detail)s": "%(rule)s: yn 'when': %(detail)s",
    "%(rule)s: 'message' must give the text in each language: en, cy": (
        "%(rule)s: rhaid i 'message' roi'r testun ym mhob iaith: en, cy"
    ),
    "%(rule)s: no message in '%(language)s'": "%(rule)s: dim neges yn '%(language)s'",
    "%(rule)s: message in unknown language '%(language)s'": (
        "%(rule)s: neges mewn iaith anhysbys '%(language)s'"
    ),
    '%(rule)s: write decide("decision_id") with the id as text': (
        '%(rule)s: ysgrifennwch decide("decision_id") gyda\'r dynodydd fel testun'
    ),
    "%(rule)s: the decision id given to decide() must be text": (
        "%(rule)s: rhaid i ddynodydd y penderfyniad a roddir i decide() fod yn destun"
    ),
    "the rules call decide('%(decision)s'), but no DMN file of the set defines that decision "
    "(or it cannot be read)": (
        "mae'r rheolau'n galw decide('%(decision)s'), ond nid oes ffeil DMN yn y set yn "
        "diffinio'r penderfyniad hwnnw (neu ni ellir ei darllen)"
    ),
    "letter templates are named letters/<name>.en.md and .cy.md": (
        "enwir templedi llythyrau yn letters/<enw>.en.md a .cy.md"
    ),
    "the letter template is too large": "mae templed y llythyr yn rhy fawr",
    "the letter template is not UTF-8 text": "nid yw templed y llythyr yn destun UTF-8",
    "the letter template: %(detail)s": "templed y llythyr: %(detail)s",
    "the letter '%(name)s' has no %(language)s version: every letter to a victim exists in "
    "English and Welsh": (
        "nid oes fersiwn %(language)s o'r llythyr '%(name)s': mae pob llythyr at ddioddefwr ar "
        "gael yn Saesneg ac yn Gymraeg"
    ),
    # The policy's reports (/reports).
    "Reports": "Adroddiadau",
    "BCU performance report": "Adroddiad perfformiad yr BCU",
    "MARAC victim survey": "Arolwg dioddefwyr MARAC",
    "Report to the MARAC Steering Group and the VAWDASV board": (
        "Adroddiad i Grŵp Llywio MARAC a bwrdd VAWDASV"
    ),
    "Victims' Code compliance": "Cydymffurfio â'r Cod Dioddefwyr",
    "Live-time review timeliness": "Prydlondeb yr adolygiad amser real",
    "Service level breaches": "Terfynau amser a fethwyd",
    "Charge and no further action rates": "Cyfraddau cyhuddo a dim camau pellach",
    "The figures for the monthly BCU performance meeting: the cases received, the offences "
    "recorded, the risk they were graded at and the standards the policy sets.": (
        "Y ffigurau ar gyfer cyfarfod perfformiad misol yr BCU: yr achosion a gafwyd, y "
        "troseddau a gofnodwyd, gradd eu risg a'r safonau y mae'r polisi'n eu gosod."
    ),
    "The MARAC Unit's monthly figures beside its survey of victims: the referrals the policy "
    "required and those sent, and the cases graded high risk.": (
        "Ffigurau misol yr Uned MARAC ochr yn ochr â'i harolwg o ddioddefwyr: yr atgyfeiriadau "
        "yr oedd y polisi'n eu gofyn a'r rhai a anfonwyd, a'r achosion a raddiwyd yn risg uchel."
    ),
    "Each quarter the MARAC Steering Group and the regional VAWDASV board hear how the policy "
    "is working: the monthly figures for three months, with the victims told in time and the "
    "outcomes.": (
        "Bob chwarter mae Grŵp Llywio MARAC a bwrdd rhanbarthol VAWDASV yn clywed sut mae'r "
        "polisi'n gweithio: y ffigurau misol am dri mis, gyda'r dioddefwyr y dywedwyd wrthynt "
        "mewn pryd a'r canlyniadau."
    ),
    "Whether each victim was told that the crime was recorded by the deadline the Victims' "
    "Code sets.": (
        "A ddywedwyd wrth bob dioddefwr fod y drosedd wedi'i chofnodi erbyn y terfyn amser y "
        "mae'r Cod Dioddefwyr yn ei osod."
    ),
    "Whether the Vulnerability Desk reviewed each call within 30 minutes, before the review "
    "was escalated to the Sergeant.": (
        "A adolygodd y Ddesg Bregusrwydd bob galwad o fewn 30 munud, cyn i'r adolygiad gael ei "
        "uwchgyfeirio at y Rhingyll."
    ),
    "The cases where a deadline the policy sets was missed: the live-time review, crime "
    "recording within 24 hours and telling the victim.": (
        "Yr achosion lle methwyd terfyn amser y mae'r polisi'n ei osod: yr adolygiad amser "
        "real, cofnodi'r drosedd o fewn 24 awr a dweud wrth y dioddefwr."
    ),
    "How the cases were decided: charged, an out-of-court disposal or no further action, and "
    "the charge and no further action rates of the cases decided.": (
        "Sut y penderfynwyd yr achosion: cyhuddo, gwarediad y tu allan i'r llys neu dim camau "
        "pellach, a chyfraddau cyhuddo a dim camau pellach yr achosion a benderfynwyd."
    ),
    "Offence recorded": "Y drosedd a gofnodwyd",
    "Harassment (s2) recorded: why it is not stalking": (
        "Aflonyddu (s2) wedi'i gofnodi: pam nad yw'n stelcio"
    ),
    "Risk grade": "Gradd risg",
    "Standards": "Safonau",
    "MARAC referrals": "Atgyfeiriadau MARAC",
    "Victim told the crime was recorded": "Dweud wrth y dioddefwr fod y drosedd wedi'i chofnodi",
    "Crime recorded within 24 hours": "Trosedd wedi'i chofnodi o fewn 24 awr",
    "Live-time review within 30 minutes": "Adolygiad amser real o fewn 30 munud",
    "Deadlines missed": "Terfynau amser a fethwyd",
    "Cases received": "Achosion a gafwyd",
    "Cases closed": "Achosion wedi'u cau",
    "Harassment (s2)": "Aflonyddu (s2)",
    "Stalking (s2A)": "Stelcio (s2A)",
    "Harassment with fear of violence (s4)": "Aflonyddu gan beri ofn trais (s4)",
    "Stalking with fear of violence or serious alarm (s4A)": (
        "Stelcio gan beri ofn trais neu fraw difrifol (s4A)"
    ),
    "Not recorded yet": "Heb ei gofnodi eto",
    "With a reason": "Gyda rheswm",
    "Without a reason": "Heb reswm",
    "High": "Uchel",
    "Medium": "Canolig",
    "Standard": "Safonol",
    "Not graded yet": "Heb ei graddio eto",
    "Risk screened with S-DASH or DASH": "Risg wedi'i sgrinio gydag S-DASH neu DASH",
    "Stalking Protection Order considered": "Ystyriwyd Gorchymyn Diogelu rhag Stelcio",
    "Offences the SRAU found missed": "Troseddau a fethwyd, a ganfu'r SRAU",
    "Referrals required": "Atgyfeiriadau yn ofynnol",
    "Referrals sent": "Atgyfeiriadau wedi'u hanfon",
    "Told on time": "Wedi cael gwybod mewn pryd",
    "Told late": "Wedi cael gwybod yn hwyr",
    "Not told yet": "Heb gael gwybod eto",
    "Within 24 hours": "O fewn 24 awr",
    "After 24 hours": "Ar ôl 24 awr",
    "Not recorded": "Heb ei chofnodi",
    "Reviewed on time": "Wedi'i adolygu mewn pryd",
    "Reviewed late (escalated)": "Wedi'i adolygu'n hwyr (uwchgyfeiriwyd)",
    "Not reviewed yet": "Heb ei adolygu eto",
    "Live-time review after 30 minutes": "Adolygiad amser real ar ôl 30 munud",
    "Crime recorded after 24 hours": "Trosedd wedi'i chofnodi ar ôl 24 awr",
    "Victim told late (Victims' Code)": "Dweud wrth y dioddefwr yn hwyr (y Cod Dioddefwyr)",
    "Charged": "Cyhuddwyd",
    "Out-of-court disposal": "Gwarediad y tu allan i'r llys",
    "No further action": "Dim camau pellach",
    "Not decided yet": "Heb benderfynu eto",
    "Referrals sent of those required": "Atgyfeiriadau a anfonwyd o'r rhai yn ofynnol",
    "Told on time of the victims told": (
        "Wedi cael gwybod mewn pryd o'r dioddefwyr a gafodd wybod"
    ),
    "Recorded within 24 hours of the crimes recorded": (
        "Wedi'u cofnodi o fewn 24 awr o'r troseddau a gofnodwyd"
    ),
    "Reviewed on time of the calls reviewed": "Wedi'u hadolygu mewn pryd o'r galwadau a adolygwyd",
    "Charge rate of the cases decided": "Cyfradd cyhuddo'r achosion a benderfynwyd",
    "No further action rate of the cases decided": (
        "Cyfradd dim camau pellach yr achosion a benderfynwyd"
    ),
    "A month": "Mis",
    "A quarter (three months)": "Chwarter (tri mis)",
    "The reports the stalking and harassment policy asks for, counted from the cases reported "
    "in each period. Each figure links to the cases behind it, as far as you may read them, and "
    "each report downloads as a spreadsheet (CSV).": (
        "Yr adroddiadau y mae'r polisi stelcio ac aflonyddu yn eu gofyn, wedi'u cyfrif o'r "
        "achosion a adroddwyd ym mhob cyfnod. Mae pob ffigur yn arwain at yr achosion y tu ôl "
        "iddo, cyn belled ag y cewch eu darllen, a gellir lawrlwytho pob adroddiad fel taenlen "
        "(CSV)."
    ),
    "Latest period: %(period)s": "Y cyfnod diweddaraf: %(period)s",
    "%(start)s to %(end)s": "%(start)s i %(end)s",
    "Month it begins": "Y mis y mae'n dechrau",
    "Period": "Cyfnod",
    "Show the figures": "Dangos y ffigurau",
    "Download this report (CSV)": "Lawrlwytho'r adroddiad hwn (CSV)",
    "%(title)s, %(period)s": "%(title)s, %(period)s",
    "Figure": "Ffigur",
    "the cases": "yr achosion",
    "Bar chart of %(title)s, %(period)s: %(figures)s.": (
        "Siart bar o %(title)s, %(period)s: %(figures)s."
    ),
    "%(label)s %(count)d": "%(label)s %(count)d",
    "Nothing to count yet": "Dim i'w gyfrif eto",
    "%(numerator)d of %(denominator)d (%(percent)d%%)": (
        "%(numerator)d o %(denominator)d (%(percent)d%%)"
    ),
    (
        "%(num)d case counted here is not listed: you may not read it.",
        "%(num)d cases counted here are not listed: you may not read them.",
    ): "Nid yw %(num)d achos a gyfrifwyd yma wedi'u rhestru: ni chewch eu darllen.",
    ("%(num)d case counted", "%(num)d cases counted"): "%(num)d achos wedi'u cyfrif",
    "The cases behind the figure": "Yr achosion y tu ôl i'r ffigur",
    "Reported": "Adroddwyd",
    "No case is counted here.": "Nid oes achos wedi'i gyfrif yma.",
    "Download these cases (CSV)": "Lawrlwytho'r achosion hyn (CSV)",
    "Enter the year as four figures, from 2000 to 2100, such as 2026": (
        "Rhowch y flwyddyn fel pedwar ffigur, o 2000 i 2100, er enghraifft 2026"
    ),
    "Choose the month the period begins in": "Dewiswch y mis y mae'r cyfnod yn dechrau ynddo",
    "Choose a month or a quarter": "Dewiswch fis neu chwarter",
    "What victims told the survey": "Beth ddywedodd dioddefwyr wrth yr arolwg",
    "Victims who answered": "Dioddefwyr a atebodd",
    "Satisfied or very satisfied": "Bodlon neu fodlon iawn",
    "Satisfied of the victims who answered": "Bodlon o'r dioddefwyr a atebodd",
    "Victims": "Dioddefwyr",
}


def fill(path: str) -> list[str]:
    with open(path, "rb") as file:
        catalog = read_po(file, locale="cy")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        welsh = WELSH.get(message.id)
        if welsh is None:
            missing.append(str(message.id))
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(welsh for _ in range(catalog.num_plurals))
        else:
            message.string = welsh
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    catalog.project, catalog.version = "Gwarchod", ""
    catalog.copyright_holder = catalog.last_translator = "Gwarchod contributors"
    catalog.language_team, catalog.msgid_bugs_address = "Welsh", ""
    with open(path, "wb") as file:
        write_po(file, catalog, omit_header=False, no_location=True, sort_output=True)
    return missing


if __name__ == "__main__":
    lacking = fill(sys.argv[1])
    if lacking:
        print("No Welsh yet for:", *lacking, sep="\n  ", file=sys.stderr)
        raise SystemExit(1)
