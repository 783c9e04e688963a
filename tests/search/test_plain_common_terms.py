"""The `plain` baseline follows the large-index rule of the analysed modes: a word in a
large share of the rows only scores, it does not make a row a candidate on its own
(engine.common_terms with the raw words' document frequencies)."""

from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.analysis import tokenize
from anlaufstelle.search.engine import SearchOptions, common_terms, search
from anlaufstelle.search.lexicon import fold, load_stopwords
from anlaufstelle.search.models import SearchDocument


def raw_word_rows(network_ids: list[int]) -> tuple[int, dict[str, set[int]]]:
    with scopes_disabled():
        rows = list(
            SearchDocument.objects.filter(network_id__in=network_ids).values_list(
                "pk", "title", "body"
            )
        )
    where: dict[str, set[int]] = {}
    for pk, title, body in rows:
        for word in set(tokenize(title) + tokenize(body)):
            where.setdefault(word, set()).add(pk)
    return len(rows), where


def test_a_frequent_raw_word_cannot_bring_in_a_row_alone_in_plain_mode(search_world):
    ids = search_world.ids(search_world.feldberg)
    total, where = raw_word_rows(ids)
    stop = load_stopwords()
    content = {w: rows for w, rows in where.items() if fold(w) not in stop and w.isalpha()}
    frequent = max(content, key=lambda w: (len(content[w]), w))
    rare = min(
        (w for w in content if not content[frequent] <= content[w]),
        key=lambda w: (len(content[w]), w),
    )
    assert len(content[frequent]) > 0.3 * total > len(content[rare])
    df, rows = snapshots.document_frequencies(ids, [frequent, rare], plain=True)
    assert rows == total
    assert df == {frequent: len(content[frequent]), rare: len(content[rare])}

    options = SearchOptions.for_mode("plain", common_term_share=0.3, common_min_rows=0)
    assert common_terms([frequent, rare], ids, options) == [frequent]
    found = {hit.doc_id for hit in search(f"{frequent} {rare}", ids, options=options, limit=0).hits}
    assert found == content[rare]
    # Without the rule every row with the frequent word is a candidate.
    everything = SearchOptions.for_mode("plain", common_term_share=0)
    found_all = {
        hit.doc_id for hit in search(f"{frequent} {rare}", ids, options=everything, limit=0).hits
    }
    assert found_all == content[rare] | content[frequent]
    assert found < found_all
