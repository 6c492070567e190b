"""`FACEBOOK_PAGES` as a shop types it: every well-formed list is read whole (and every token
masked in logs), the single-Page settings join it (the list winning for a Page in both), and a
malformed list stops start-up with one line naming the variable, never a token."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chotdon.errors import StartupError
from chotdon.facebook_pages import facebook_pages
from chotdon.log_redaction import SecretMask
from chotdon.settings import load_settings
from livestream.pages import FROM_PAGE_ID, FROM_PAGES

FACEBOOK_VARIABLES = ("FACEBOOK_PAGES", "FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN")
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ONCE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)

page_ids = st.text("0123456789", min_size=1, max_size=20)
tokens = st.text(ALNUM, min_size=12, max_size=60).map(lambda t: "EAAG" + t)
page_lists = st.dictionaries(page_ids, tokens, min_size=1, max_size=6)
spaces = st.sampled_from(["", " ", "  "])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in FACEBOOK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def written(pages: dict[str, str], pad: str = "", trailing: bool = False) -> str:
    text = ",".join(f"{pad}{page}:{token}{pad}" for page, token in pages.items())
    return text + ("," if trailing else "")


@ONCE
@given(pages=page_lists, pad=spaces, trailing=st.booleans())
def test_every_well_formed_list_is_read_whole_and_its_tokens_masked(pages, pad, trailing):
    loaded = load_settings(FACEBOOK_PAGES=written(pages, pad, trailing))
    assert loaded.facebook_page_tokens() == pages
    registry = facebook_pages(loaded)
    assert registry.ids() == set(pages)
    for page_id, token in pages.items():
        found = registry.for_page(page_id)
        assert found is not None and found.access_token == token
    assert (registry.only() is not None) == (len(pages) == 1)

    mask = SecretMask.of(loaded.secrets().values())
    line = "Graph said no to " + " and ".join(pages.values())
    assert not any(token in mask.redact(line) for token in pages.values())


def test_the_list_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("FACEBOOK_PAGES", "111:EAAGtoken-one-1111, 222:EAAGtoken-two-2222")
    registry = facebook_pages(load_settings())
    assert [(p.page_id, p.access_token) for p in registry.all()] == [
        ("111", "EAAGtoken-one-1111"),
        ("222", "EAAGtoken-two-2222"),
    ]
    assert registry.for_page("333") is None and registry.only() is None


@ONCE
@given(pages=page_lists, single=page_ids, single_token=tokens)
def test_the_single_page_settings_join_the_list_which_wins_for_a_page_in_both(
    pages, single, single_token
):
    loaded = load_settings(
        FACEBOOK_PAGES=written(pages),
        FACEBOOK_PAGE_ID=single,
        FACEBOOK_PAGE_ACCESS_TOKEN=single_token,
    )
    registry = facebook_pages(loaded)
    assert registry.ids() == set(pages) | {single}
    found = registry.for_page(single)
    assert found is not None
    assert found.access_token == pages.get(single, single_token)
    origins = {entry.page_id: entry.origin for entry in registry.entries()}
    assert origins[single] == (FROM_PAGES if single in pages else FROM_PAGE_ID)
    assert len(registry.entries()) == len(set(pages) | {single})


def malformed(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A list with one bad item among good ones, and the tokens it holds."""
    pages = draw(page_lists)
    token = draw(tokens)
    bad = draw(
        st.sampled_from(
            [
                token,  # a token pasted without its Page id
                f"page-{token[:4]}:{token}",  # not digits
                f"{next(iter(pages))}:{token}",  # a Page twice
                "12345:",  # no token
                f"12345:{token[:6]} {token[6:]}",  # two words
                f":{token}",  # no Page id
                f"12345:{token}:{token}",  # a colon in the token
            ]
        )
    )
    items = [f"{page}:{value}" for page, value in pages.items()]
    items.insert(draw(st.integers(0, len(items))), bad)
    return ",".join(items), [*pages.values(), token, token[:6], token[6:]]


@ONCE
@given(case=st.composite(malformed)())
def test_a_malformed_list_stops_start_up_naming_the_variable_and_no_token(case):
    text, secrets = case
    with pytest.raises(StartupError) as refused:
        load_settings(FACEBOOK_PAGES=text)
    message = str(refused.value)
    assert message.startswith("FACEBOOK_PAGES: ") and "\n" not in message
    assert not any(secret in message for secret in secrets if len(secret) >= 6)


@ONCE
@given(text=st.text(max_size=80))
def test_any_text_is_read_or_refused_in_one_line(text):
    try:
        loaded = load_settings(FACEBOOK_PAGES=text)
    except StartupError as error:
        assert str(error).startswith("FACEBOOK_PAGES: ") and "\n" not in str(error)
    else:
        for page_id in loaded.facebook_page_tokens():
            assert page_id.isdigit()


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_list_is_unset(blank):
    assert facebook_pages(load_settings(FACEBOOK_PAGES=blank)).all() == []
