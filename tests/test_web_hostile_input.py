"""No value typed into a page's address or form makes a page fail.

A user holding every role follows the links from the pages a caseworker, a process owner, an
auditor and a reader of the reports start from, keeps one address of each kind of page, and
sends each of them the query values the views read, and each form's fields, filled with
values no one should send: numbers past what the database holds, impossible dates, NaN, a NUL,
long text. Each answer may refuse, but never with a server error.
"""

import html
import re
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.pages import csrf_token, sign_in

# What the pages' views read from a query (request.args) or a form beside their own fields.
QUERY_KEYS = (
    "at_seq", "version", "from", "to", "case", "day", "month", "year", "time", "length",
    "process", "lane", "overdue", "page", "lang", "to_version", "mapping", "before", "after",
    "kind", "person", "next",
)  # fmt: skip
HOSTILE = ("-1", str(2**31), str(10**23), "1e309", "nan", "2026-02-30", "x\x00y", "a" * 3000)


def test_no_value_in_an_address_or_a_form_makes_a_page_fail(app, client, call, every_role):
    sign_in(client, every_role)
    case, task = call["id"], call["open_tasks"][0]["id"]
    pages, forms = one_page_of_each_kind(
        app,
        client,
        ["/", "/team", "/cases/new", f"/cases/{case}", f"/tasks/{task}", "/reports"]
        + ["/audit", f"/audit/cases/{case}", f"/audit/cases/{case}/diagram", "/model"]
        + ["/model/compare", "/model/processes/stalking_harassment/migrations"],
    )
    assert len(pages) >= 15 and len(forms) >= 10, (len(pages), len(forms))
    failed, token = [], csrf_token(client.get("/"))

    def send(method: str, address: str, values: dict) -> None:
        if method == "post":
            response = client.post(address, data={"csrf_token": token, **values})
        else:
            response = client.get(address, query_string=values)
        if response.status_code >= 500:
            failed.append(f"{method.upper()} {address} {values!r:.80} -> {response.status_code}")

    for address in pages:
        for key in QUERY_KEYS:
            for value in HOSTILE:
                send("get", address, {key: value})
    for method, address, fields in forms:
        for field in fields:
            for value in HOSTILE:
                send(method, address, {field: value})
    assert not failed, "\n".join(failed)


def one_page_of_each_kind(app, client, start: list[str]) -> tuple[list[str], list[tuple]]:
    """The addresses reached from ``start``, one for each of the pages' routes, and the forms
    on them (method, address, field names), one for each route and set of fields."""
    routes = app.url_map.bind("localhost")
    kinds, pages, forms, seen_forms = set(), [], [], set()
    queue = list(start)
    while queue:
        address = queue.pop(0)
        path = urlsplit(address).path
        if path.startswith(("/assets/", "/language/", "/sign-out", "/api/")):
            continue
        try:
            kind = routes.match(path, method="GET")[0]
        except HTTPException:
            continue
        if kind in kinds:
            continue
        kinds.add(kind)
        page = client.get(address)
        assert page.status_code < 500, (address, page.status_code)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        pages.append(path)
        for link in re.findall(r'href="(/[^/"][^"]*)"', page.text):
            queue.append(html.unescape(link))
        for form in re.findall(r"<form\b.*?</form>", page.text, re.S):
            method = re.search(r'method="(\w+)"', form)
            action = re.search(r'action="([^"]*)"', form)
            target = html.unescape(action[1]) if action and action[1] else path
            fields = tuple(sorted(set(re.findall(r'name="([^"]+)"', form)) - {"csrf_token"}))
            key = (method[1].lower() if method else "get", urlsplit(target).path, fields)
            if "/sign-out" in key[1] or "/language/" in key[1] or key in seen_forms:
                continue
            seen_forms.add(key)
            forms.append(key)
    return pages, forms
