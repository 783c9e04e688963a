from collections import Counter

from anlaufstelle.search.analysis import PLAIN, analyse, stem, tokenize
from anlaufstelle.search.compounds import split_compound
from anlaufstelle.search.lexicon import fold, load_stopwords
from anlaufstelle.search.typos import Vocabulary, distance


def test_it_splits_german_compounds_into_known_parts():
    assert split_compound(fold("Fachkräfteeinwanderung")) == ("fachkrafte", "einwanderung")
    assert split_compound("lohnkostenzuschuss") == ("lohn", "kosten", "zuschuss")
    assert split_compound("arbeitsmarkt") == ("arbeit", "markt")


def test_it_does_not_split_words_into_function_words():
    assert split_compound("unternehmen") == ()
    assert split_compound(fold("Werkstatt")) == ()


def test_a_dictionary_word_is_not_split_into_parts_rarer_than_itself():
    # Verbs and adjectives that happen to be two dictionary words glued together.
    for word in ("einstellen", "verbessern", "millionen", "betreiben", "vereinbaren"):
        assert split_compound(word) == (), word
    assert split_compound(fold("technische")) == ()
    # Real compounds, rarer than their parts, still split.
    assert split_compound("berufsschule")[-1:] == ("schule",)
    assert split_compound(fold("Arbeitsverhältnis")) == ("arbeit", "verhaltnis")


def test_a_compound_in_a_query_meets_its_parts_in_a_document():
    query = set(analyse("Fachkräfteeinwanderung").terms)
    document = set(analyse("Einwanderung von Fachkräften aus Drittstaaten").terms)
    assert {stem("einwanderung"), stem("fachkrafte")} <= query & document


def test_umlauts_and_their_spellings_meet():
    forms = {analyse(w).terms[0] for w in ("Fachkräfte", "Fachkraefte", "fachkräfte")}
    assert len(forms) == 1
    assert fold("Straße") == "strasse"


def test_abbreviations_share_a_token_with_their_long_form():
    assert "syn_hwk" in analyse("HWK").terms
    assert "syn_hwk" in analyse("Beratung der Handwerkskammer Ostmecklenburg").terms
    assert "syn_ihk" in analyse("Industrie- und Handelskammer").terms
    assert "syn_azubi" in analyse("Lehrling").terms
    assert "syn_azubi" in analyse("unsere Auszubildenden").terms


def test_a_synonym_group_does_not_catch_a_similar_stem():
    # "Lehrer" and "Lehre" share the stem "lehr"; the groups match surface words.
    assert "syn_lehre" in analyse("Lehre").terms
    assert "syn_lehre" not in analyse("Lehrer").terms


def test_stop_words_are_dropped_but_plain_analysis_keeps_every_word():
    assert analyse("Gibt es das für uns?").terms == []
    assert analyse("Gibt es das", PLAIN).terms == ["gibt", "es", "das"]


def test_hyphenated_words_give_their_parts():
    assert tokenize("Kfz-Werkstatt in 17258") == ["kfz", "werkstatt", "in", "17258"]


def test_typos_are_corrected_to_the_closest_index_word():
    vocab = Vocabulary(Counter({"ausbildung": 5, "einstiegsqualifizierung": 2, "zuschuss": 3}))
    assert vocab.correct("ausbildnug") == "ausbildung"
    assert vocab.correct("einstiegsqualifiziehrumg") == "einstiegsqualifizierung"
    assert vocab.correct("zuschus") == "zuschuss"


def test_a_typo_that_splits_by_chance_is_still_corrected():
    vocab = Vocabulary(Counter({"kostenfreie": 3, "mitarbeiter": 2, "technikerin": 1}))
    assert split_compound("kotsenfreie")  # Kots + freie
    assert vocab.correct("kotsenfreie") == "kostenfreie"
    assert vocab.correct("technikrein") == "technikerin"
    assert vocab.correct("mitarbieter") == "mitarbeiter"


def test_a_real_compound_near_an_index_word_is_not_corrected():
    vocab = Vocabulary(Counter({"mitarbeiterwohnungen": 2, "lohnkostenzuschusse": 1}))
    assert vocab.correct("mitarbeiterwohnung") is None  # another form, not a typo
    assert vocab.correct("lohnkostenzuschuss") is None


def test_correct_german_words_are_not_corrected():
    vocab = Vocabulary(Counter({"ausbildung": 5}))
    assert vocab.correct("bildung") is None  # a real word, just not in the index
    assert vocab.correct("ausbildung") is None


def test_distance_counts_a_transposition_once():
    assert distance("ausbildnug", "ausbildung") == 1
    assert distance("abc", "xyz", limit=2) == 3


def test_a_content_word_never_stems_onto_a_function_word():
    # Snowball gives "nach" for "nächster" and "ander" for "Änderungen" (umlauts
    # folded, superlative and -ung endings stripped): the stem is renamed.
    stop = load_stopwords()
    for word in ("nächster", "nächste", "nächsten", "Änderungen", "sichern", "Tagen"):
        assert stem(word.lower()) not in stop, word
    assert len({stem(w) for w in ("nächster", "nächste", "nächsten", "nächstes")}) == 1
    assert stem("tagen") == stem("tages") == stem("tage")
    assert stem("guter") == stem("gute") == stem("gutes")
    terms = set(analyse("Wann ist der nächste Termin?").terms)
    assert "nach" not in terms
    assert terms.isdisjoint(analyse("Beratung zur Unternehmensnachfolge").terms)
    # Words whose stem is no function word keep Snowball's stem.
    assert stem("nachfolge") == "nachfolg"
    assert stem("fachkräfte") == stem("fachkraft")


def test_a_derivational_suffix_is_no_compound_part():
    # "Mannschaft" is no kind of "Schaft": it must not meet "Meisterschaften" or
    # "Wirtschaft" through a part "schaft".
    team = set(analyse("Mannschaft").terms)
    assert team.isdisjoint(analyse("Jugendmeisterschaften").terms)
    assert team.isdisjoint(analyse("Wirtschaft und Belegschaft").terms)
    assert "mann" not in team
    # Real compounds keep their parts, also with such a word inside.
    assert stem("vertrag") in analyse("Gesellschaftsvertrag").terms
    assert stem("zuschuss") in analyse("Lohnkostenzuschuss").terms
