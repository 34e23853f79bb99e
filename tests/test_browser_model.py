"""The process owner's workspace in a real browser: the list of processes and versions, a
diagram opened in the bpmn-js modeller, broken through its properties panel, checked (the
problem marked on its element), put right and deployed; the two versions compared on their
drawings; a decision table in dmn-js; a form previewed in Welsh; and the same work with
JavaScript off, through the XML. Every page runs under the content security policy with axe."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.auth import create_user
from tests import test_browser
from tests.pages import PASSWORD
from tests.test_api_migrations import deploy_new_version
from tests.test_browser import CHROMIUM, check, open_page
from tests.test_model_pages import start_call

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)

# The browser tests' fixtures: Chromium, and the service on a free local port.
browser, server = test_browser.browser, test_browser.server
PSD = "PSD complaint assessment"


@pytest.fixture
def process_owner(app):
    with app.app_context():
        create_user("owner.anwen", ["Process Owner"], PASSWORD)
    return "owner.anwen"


def save(page, name: str) -> None:
    if test_browser.SCREENSHOTS:
        page.screenshot(path=str(Path(test_browser.SCREENSHOTS) / f"{name}.png"), full_page=True)


def open_diagram(page, server, owner, process=PSD):
    test_browser.sign_in(page, server, owner)
    page.get_by_role("link", name="Processes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Processes and versions")
    page.get_by_role("link", name=f"Edit the diagram {process}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(process)


def property_field(page, label):
    return page.locator(".bio-properties-panel").get_by_label(label, exact=True)


def test_the_workspace_in_both_languages(server, browser, process_owner, client, token_for):
    start_call(client, token_for)
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.get_by_role("link", name="Processes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Processes and versions"
    check(page, "model")
    page.get_by_role("link", name="Cymraeg").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Prosesau a fersiynau"
    check(page, "model-cy")


def test_a_process_owner_edits_checks_deploys_and_compares_a_diagram(
    server, browser, process_owner
):
    page = open_page(browser)
    open_diagram(page, server, process_owner)
    # The modeller is drawn over the XML, which it keeps up to date.
    canvas = page.locator("#diagram")
    expect(canvas.locator('.djs-element[data-element-id="psd_assessment"]')).to_be_visible()
    expect(page.locator("#xml")).to_be_hidden()
    check(page, "model-diagram")

    # Broken in the properties panel: a form that does not exist.
    canvas.locator('.djs-element[data-element-id="psd_assessment"]').click()
    form = property_field(page, "Form")
    expect(form).to_have_value("psd_assessment.schema.json")
    form.fill("psd_assesment.schema.json")
    page.get_by_role("button", name="Check").click()
    problems = page.locator("#app-check-result")
    expect(problems).to_contain_text("form 'psd_assesment.schema.json' does not exist")
    expect(canvas.locator('.djs-element[data-element-id="psd_assessment"]')).to_have_class(
        re.compile("app-mark-problem")
    )
    expect(page.locator(".app-problem-badge")).to_have_text("1")
    check(page, "model-diagram-problem")

    # The problem's link selects its element; put right, the check passes.
    canvas.locator('.djs-element[data-element-id="psd_complainant_informed"]').click()
    problems.get_by_role("link", name=re.compile("Assess the complaint")).click()
    expect(property_field(page, "Form")).to_have_value("psd_assesment.schema.json")
    property_field(page, "Form").fill("psd_assessment.schema.json")
    property_field(page, "Due at").fill("add_working_days(complaint_received_at, 15)")
    page.get_by_role("button", name="Check").click()
    expect(problems).to_contain_text("No problems found")
    expect(page.locator(".app-mark-problem")).to_have_count(0)

    # Deploying shows what changes first, drawn and listed.
    page.get_by_role("button", name="Review and deploy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will change")
    changes = page.locator(".app-changes")
    expect(changes).to_contain_text("Due at: psd_assessment_due_at → add_working_days")
    after = page.locator('[data-app-side="after"]')
    expect(after.locator('.djs-element[data-element-id="psd_assessment"]')).to_have_class(
        re.compile("app-mark-changed")
    )
    check(page, "model-review")
    page.get_by_role("button", name="Deploy version 2").click()
    expect(page.get_by_text("Version 2 is deployed")).to_be_visible()

    # The two versions compared, from the process's versions.
    page.locator("#process-psd_complaint").get_by_role(
        "link", name=re.compile("What changed")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to version 2")
    expect(page.locator(".app-changes")).to_contain_text("Due at")
    before = page.locator('[data-app-side="before"]')
    expect(before.locator('.djs-element[data-element-id="psd_assessment"]')).to_have_class(
        re.compile("app-mark-changed")
    )
    check(page, "model-compare")


def test_a_task_in_a_lane_no_role_works_is_marked_and_the_welsh_names_kept(
    server, browser, process_owner
):
    page = open_page(browser)
    open_diagram(page, server, process_owner)
    canvas = page.locator("#diagram")
    # The Policy Owner's lane renamed to one no role works: its task is refused.
    canvas.locator('.djs-element[data-element-id="lane_policy_owner"]').click(
        position={"x": 12, "y": 40}
    )
    name = page.locator(".bio-properties-panel").get_by_label("Name", exact=True)
    name.fill("Policy Team")
    page.get_by_role("button", name="Check").click()
    problems = page.locator("#app-check-result")
    expect(problems).to_contain_text("which no role in the role catalogue works")
    expect(canvas.locator('.djs-element[data-element-id="psd_learning_actions"]')).to_have_class(
        re.compile("app-mark-problem")
    )
    # The task's properties say so too; its Welsh name is given beside its English one.
    canvas.locator('.djs-element[data-element-id="psd_learning_actions"]').click()
    expect(page.locator(".bio-properties-panel")).to_contain_text("No role works this lane")
    welsh = property_field(page, "Welsh name")
    expect(welsh).to_have_value("Gweithredu ar y gwersi")
    welsh.fill("Gweithredu ar y gwersi a ddysgwyd")
    canvas.locator('.djs-element[data-element-id="lane_policy_owner"]').click(
        position={"x": 12, "y": 40}
    )
    name.fill("Policy Owner")
    page.get_by_role("button", name="Check").click()
    expect(problems).to_contain_text("No problems found")
    page.get_by_role("button", name="Review and deploy").click()
    expect(page.locator(".app-changes")).to_contain_text(
        "Welsh name: Gweithredu ar y gwersi → Gweithredu ar y gwersi a ddysgwyd"
    )


def test_xml_that_cannot_be_drawn_is_said_and_checked(server, browser, process_owner):
    page = open_page(browser)
    open_diagram(page, server, process_owner)
    expect(page.locator("#diagram .djs-element").first).to_be_visible()
    page.get_by_text("The XML", exact=True).click()
    xml = page.locator("#xml")
    xml.fill(xml.input_value()[:400])
    xml.blur()
    expect(page.get_by_text("The drawing could not be drawn from this XML.")).to_be_visible()
    expect(page.locator("#diagram")).to_be_hidden()
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#app-check-result")).to_contain_text("not well-formed XML")
    check(page, "model-diagram-broken")


def test_the_editor_in_welsh(server, browser, process_owner):
    page = open_page(browser)
    open_diagram(page, server, process_owner)
    page.get_by_role("link", name="Cymraeg").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    canvas = page.locator("#diagram")
    # The modeller's own words are Welsh: its tools, and what can be done to an element.
    palette = page.locator(".djs-palette")
    expect(palette.get_by_role("button", name="Creu tasg")).to_be_visible()
    expect(palette.get_by_role("button", name="Creu digwyddiad cychwyn")).to_be_visible()
    expect(palette.get_by_role("button", name="Defnyddio'r offeryn llaw")).to_be_visible()
    expect(palette.get_by_role("button", name="Create task")).to_have_count(0)
    canvas.locator('.djs-element[data-element-id="psd_assessment"]').click()
    pad = page.locator(".djs-context-pad")
    expect(pad.get_by_title("Ychwanegu tasg", exact=True)).to_be_visible()
    expect(pad.get_by_title("Dileu", exact=True)).to_be_visible()
    expect(pad.get_by_title("Append task", exact=True)).to_have_count(0)
    # The properties panel: its own sections and the element's kind, and the properties the
    # service reads, under "Case work", all in Welsh.
    panel = page.locator(".bio-properties-panel")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("Tasg defnyddiwr")
    expect(panel.locator('[data-group-id="group-general"]')).to_contain_text("Cyffredinol")
    case_work = panel.locator('[data-group-id="group-gwarchod"]')
    expect(case_work).to_contain_text("Gwaith achos")
    expect(property_field(page, "Ffurflen")).to_have_value("psd_assessment.schema.json")
    expect(property_field(page, "Dyledus ymhen")).to_be_visible()
    expect(property_field(page, "Enw Cymraeg")).to_be_visible()
    expect(case_work).not_to_contain_text("Due in")
    check(page, "model-diagram-cy")
    # "Change element" lists what it can become in Welsh too.
    pad.get_by_title("Newid yr elfen", exact=True).click()
    menu = page.locator(".djs-popup")
    expect(menu.get_by_text("Tasg sgript", exact=True)).to_be_visible()
    expect(menu.get_by_text("Script task", exact=True)).to_have_count(0)
    save(page, "model-diagram-change-cy")
    page.keyboard.press("Escape")
    # A broken diagram checked in Welsh: its problem is listed and marked in Welsh.
    property_field(page, "Ffurflen").fill("psd_assesment.schema.json")
    page.get_by_role("button", name="Gwirio").click()
    expect(page.locator("#app-check-result")).to_contain_text(
        "nid yw'r ffurflen 'psd_assesment.schema.json' yn bodoli"
    )
    expect(page.locator(".app-problem-badge")).to_have_text("1")
    check(page, "model-diagram-problem-cy")


def test_the_decision_table_editor_in_welsh(server, browser, process_owner):
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.goto(f"{server}/language/cy?next=/model")
    page.get_by_role("link", name=re.compile("Risk grading", re.IGNORECASE)).first.click()
    table = page.locator(".tjs-table")
    expect(table).to_be_visible()
    expect(page.locator(".dmn-decision-table-container")).to_contain_text("Polisi taro")
    expect(page.locator(".dmn-decision-table-container")).not_to_contain_text("Hit policy")
    check(page, "model-table-cy")


def test_a_decision_table_opens_in_the_table_editor(server, browser, process_owner):
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.goto(f"{server}/model")
    page.get_by_role("link", name=re.compile("Risk grading", re.IGNORECASE)).first.click()
    table = page.locator(".tjs-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text(">= 14")
    check(page, "model-table")


def test_a_form_is_previewed_in_english_and_welsh(server, browser, process_owner):
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.goto(f"{server}/model")
    page.get_by_role("link", name="Live-time review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Live-time review")
    expect(page.get_by_text("Adolygiad amser real")).to_have_count(0)
    check(page, "model-form")
    page.get_by_role("link", name="Cymraeg").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adolygiad amser real")
    assert page.locator(".app-preview").get_attribute("lang") == "cy"
    check(page, "model-form-cy")


def test_the_workspace_works_with_javascript_off(server, browser, process_owner):
    page = open_page(browser, javascript=False)
    open_diagram(page, server, process_owner)
    xml = page.locator("#xml")
    expect(xml).to_be_visible()
    text = xml.input_value()
    broken = text.replace(
        '<bpmn:lane id="lane_psd" name="PSD">', '<bpmn:lane id="lane_psd" name="Complaints">'
    )
    xml.fill(broken)
    page.get_by_role("button", name="Check").click()
    expect(
        page.get_by_role("heading", name=re.compile("problems: nothing can be deployed"))
    ).to_be_visible()
    expect(page.locator("#app-check-result")).to_contain_text("lane 'Complaints'")
    save(page, "model-diagram-nojs-problems")  # scripts off: no axe, which is a script
    page.locator("#xml").fill(
        text.replace("P20D", "P21D")
        if "P20D" in text
        else text.replace(
            "The assessment is due 20 working days", "The assessment is due twenty working days"
        )
    )
    page.get_by_role("button", name="Review and deploy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will change")
    page.get_by_role("button", name="Deploy version 2").click()
    expect(page.get_by_text("Version 2 is deployed")).to_be_visible()
    page.get_by_role("button", name="Show the changes").click()
    expect(page.locator(".app-changes")).to_contain_text("Description")


def test_running_cases_are_checked_then_moved_onto_a_new_version(
    server, browser, process_owner, client, token_for, owner
):
    start_call(client, token_for)
    version = deploy_new_version(client, owner)
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.get_by_role("link", name="Processes").click()
    page.get_by_role("link", name="Move running cases of Stalking and harassment case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move running cases")
    check(page, "migration")
    page.get_by_label("Move onto version").select_option(str(version))
    page.get_by_role("button", name="Check the running cases").click()
    expect(page.get_by_text("1 case can move.")).to_be_visible()
    check(page, "migration-dry-run")
    page.get_by_role("button", name="Move the cases").click()
    expect(page).to_have_url(re.compile(r"/model/migrations/\d+$"))
    expect(page.get_by_text("0 of 1")).to_be_visible()
    check(page, "migration-progress")


def test_a_process_owner_starts_a_new_process_and_deploys_it(server, browser, process_owner):
    page = open_page(browser)
    test_browser.sign_in(page, server, process_owner)
    page.get_by_role("link", name="Processes").click()
    page.get_by_role("button", name="New process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New process")
    page.get_by_label("Name", exact=True).fill("Anti-social behaviour case")
    page.get_by_label("Welsh name").fill("Achos ymddygiad gwrthgymdeithasol")
    page.get_by_label("Process id").fill("psd_complaint")
    page.get_by_label("Vulnerability Desk").check()
    check(page, "model-new")
    page.get_by_role("button", name="Open it in the diagram editor").click()
    # An id already taken: the form again, saying so, what was typed kept.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("A process with the id psd_complaint exists already")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Process id")).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Anti-social behaviour case")
    check(page, "model-new-error")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proses newydd")
    page.get_by_label("Dynodydd y broses").fill("anti_social_behaviour")
    page.get_by_label("Vulnerability Desk").check()
    page.get_by_label("Enw", exact=True).fill("Anti-social behaviour case")
    page.get_by_label("Enw Cymraeg").fill("Achos ymddygiad gwrthgymdeithasol")
    check(page, "model-new-cy")
    page.get_by_role("link", name="English").click()
    page.get_by_label("Name", exact=True).fill("Anti-social behaviour case")
    page.get_by_label("Welsh name").fill("Achos ymddygiad gwrthgymdeithasol")
    page.get_by_label("Process id").fill("anti_social_behaviour")
    page.get_by_label("Vulnerability Desk").check()
    page.get_by_role("button", name="Open it in the diagram editor").click()
    # The editor, on the least diagram that deploys: a start and an end in the chosen lane.
    expect(page.get_by_role("heading", level=1)).to_have_text("Anti-social behaviour case")
    canvas = page.locator("#diagram")
    expect(
        canvas.locator('.djs-element[data-element-id="anti_social_behaviour_start"]')
    ).to_be_visible()
    expect(
        canvas.locator('.djs-element[data-element-id="lane_anti_social_behaviour"]')
    ).to_contain_text("Vulnerability Desk")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#app-check-result")).to_contain_text("No problems found")
    check(page, "model-new-diagram")
    page.get_by_role("button", name="Review and deploy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will change")
    page.get_by_role("button", name="Deploy version 2").click()
    expect(page.get_by_text("Version 2 is deployed")).to_be_visible()
    card = page.locator("#process-anti_social_behaviour")
    expect(card).to_contain_text("Anti-social behaviour case")
    card.get_by_role("link", name="Edit the diagram").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anti-social behaviour case")
