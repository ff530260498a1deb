"""HybridRetriever: exact matches first, tenant and document scoping, provenance."""

from __future__ import annotations

import pytest

from finrag.embeddings.hashing import HashEmbedder
from finrag.errors import AccessDeniedError, StoreError
from finrag.retrieval.hybrid import HybridRetriever, spread_pages
from finrag.retrieval.indexing import index_document
from finrag.retrieval.rerank import Reranker
from retrieval.retrieval_data import make_report

pytestmark = pytest.mark.unit


@pytest.fixture(params=[False, True], ids=["rrf", "reranked"])
def retriever(request, loaded, embedder) -> HybridRetriever:
    store, _ = loaded
    return HybridRetriever(store, embedder, Reranker.load() if request.param else None)


def test_exact_match_row_comes_first(loaded, embedder) -> None:
    store, ids = loaded
    retriever = HybridRetriever(store, embedder, Reranker.load())
    hits = retriever.retrieve("t1", "What was operating income in 2019?", doc_ids=[ids["acme"]])
    assert hits[0].id == f"{ids['acme']}:t0:r2"
    assert hits[0].provenance.row_label == "operating income"
    assert hits[0].provenance.table_index == 0 and hits[0].provenance.row_index == 2


def test_exact_match_row_is_a_top_candidate(retriever, loaded) -> None:
    _, ids = loaded
    hits = retriever.retrieve("t1", "What was operating income in 2019?", doc_ids=[ids["acme"]])
    assert f"{ids['acme']}:t0:r2" in [h.id for h in hits[:3]]


def test_results_are_sorted_and_bounded(retriever) -> None:
    retriever.page_spread = 0  # page spreading reorders across documents by design
    hits = retriever.retrieve("t1", "net revenue 2019", k=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.keyword_rank is not None or h.vector_rank is not None for h in hits)


def test_tenant_scoping(retriever, loaded) -> None:
    _, ids = loaded
    hits = retriever.retrieve("t2", "net revenue of acme in 2019", k=20)
    assert hits and {h.chunk.doc_id for h in hits} == {ids["globex"]}
    assert retriever.retrieve("nobody", "net revenue") == []
    with pytest.raises(AccessDeniedError):
        retriever.retrieve("", "net revenue")


def test_document_scoping(retriever, loaded) -> None:
    _, ids = loaded
    hits = retriever.retrieve("t1", "net revenue", doc_ids=[ids["globex"]], k=20)
    assert hits and {h.chunk.doc_id for h in hits} == {ids["globex"]}
    assert retriever.retrieve("t1", "net revenue", doc_ids=[]) == []


def test_blank_and_hostile_questions(retriever) -> None:
    assert retriever.retrieve("t1", "   ") == []
    hits = retriever.retrieve("t1", 'revenue" AND (NEAR* : ^ OR', k=2)
    assert len(hits) <= 2
    with pytest.raises(StoreError):
        retriever.retrieve("t1", "revenue", k=0)


def test_reranker_scores_reported(loaded, embedder) -> None:
    store, ids = loaded
    retriever = HybridRetriever(store, embedder, Reranker.load())
    hits = retriever.retrieve("t1", "cost of sales in 2018", doc_ids=[ids["acme"]])
    assert all(h.rerank_score is not None and 0.0 <= h.rerank_score <= 1.0 for h in hits)
    assert hits[0].provenance.as_dict()["row_label"] == "cost of sales"


def test_query_vectors_are_cached(loaded, embedder) -> None:
    store, _ = loaded
    retriever = HybridRetriever(store, embedder, None)
    retriever.retrieve("t1", "net revenue")
    retriever.retrieve("t1", "net revenue")
    assert (retriever.query_vectors.hits, retriever.query_vectors.misses) == (1, 1)


def test_question_is_embedded_while_the_keywords_are_searched(loaded, embedder) -> None:
    """overlap (the default) embeds on a worker thread while the calling thread searches the
    keywords; the results are those of embedding first, and a cached vector needs no worker."""
    import threading

    store, ids = loaded
    threads: dict[str, list[str]] = {"embed": [], "keywords": []}
    overlapped = HybridRetriever(store, embedder, Reranker.load())
    serial = HybridRetriever(store, HashEmbedder(dim=64), Reranker.load(), overlap=False)
    embed, search = overlapped.query_vectors.embedder.embed_query, store.keyword_search

    def recorded(name, call):
        def run(*args, **kwargs):
            threads[name].append(threading.current_thread().name)
            return call(*args, **kwargs)

        return run

    overlapped.query_vectors.embedder.embed_query = recorded("embed", embed)  # type: ignore[method-assign]
    store.keyword_search = recorded("keywords", search)  # type: ignore[method-assign]
    for question in QUESTIONS:
        scope = [ids["acme"]]
        assert overlapped.retrieve("t1", question, doc_ids=scope) == serial.retrieve(
            "t1", question, doc_ids=scope
        )
    caller = threading.current_thread().name
    assert threads["embed"] and all(n.startswith("finrag-embed") for n in threads["embed"])
    assert threads["keywords"] == [caller] * 2 * len(QUESTIONS)
    overlapped.retrieve("t1", QUESTIONS[0], doc_ids=[ids["acme"]])  # cached vector
    assert len(threads["embed"]) == len(QUESTIONS)
    overlapped.close()
    assert overlapped.retrieve("t1", "cost of sales", doc_ids=[ids["acme"]])  # usable again


def test_spread_pages_puts_distinct_pages_first() -> None:
    pages = [("a", 1), ("a", 1), ("a", 2), ("a", 1), ("b", 1), ("a", 3)]
    assert spread_pages(pages, 3) == [0, 2, 4, 1, 3, 5]
    assert spread_pages(pages, 0) == [0, 1, 2, 3, 4, 5]
    assert spread_pages([("a", 1)] * 4, 5) == [0, 1, 2, 3]  # one page: order unchanged


def test_page_spread_keeps_single_page_order(loaded, embedder) -> None:
    store, ids = loaded
    spread = HybridRetriever(store, embedder, Reranker.load())
    plain = HybridRetriever(store, embedder, Reranker.load(), page_spread=0)
    question = "What was operating income in 2019?"
    assert [h.id for h in spread.retrieve("t1", question, doc_ids=[ids["acme"]])] == [
        h.id for h in plain.retrieve("t1", question, doc_ids=[ids["acme"]])
    ]


QUESTIONS = (
    "What was operating income in 2019?",
    "net revenue 2019",
    "cost of sales in 2018",
    "How did net revenue change from 2018 to 2019?",
)


def test_unit_vector_lru_keeps_cosines_and_skips_the_store(loaded, embedder) -> None:
    store, ids = loaded
    with_lru = HybridRetriever(store, embedder, Reranker.load())
    without = HybridRetriever(store, embedder, Reranker.load(), unit_vector_entries=0)
    question = "What was operating income in 2019?"
    first = with_lru.candidates_for("t1", question, doc_ids=[ids["acme"]])
    reads = []
    original = store.get_many

    def counting(model, keys):
        reads.append(len(keys))
        return original(model, keys)

    store.get_many = counting  # type: ignore[method-assign]
    again = with_lru.candidates_for("t1", question, doc_ids=[ids["acme"]])
    assert reads == []  # every chunk and label vector came from memory
    plain = without.candidates_for("t1", question, doc_ids=[ids["acme"]])
    assert reads  # the retriever without the LRU reads the store
    assert first == again == plain
    assert all(c.cosine is not None for c in first)


def test_sqlite_keyword_search_by_pk_range_equals_scope_tokens(tmp_path, embedder) -> None:
    """The rowid-range path of SQLiteStore.keyword_search returns exactly the token path."""
    from finrag.retrieval.indexing import index_document
    from finrag.store.sqlite import SQLiteStore
    from retrieval.retrieval_data import ACME_ROWS, ACME_TEXT, GLOBEX_ROWS, GLOBEX_TEXT, make_report

    acme, acme_chunks = make_report("acme", ACME_ROWS, ACME_TEXT)
    globex, globex_chunks = make_report("globex", GLOBEX_ROWS, GLOBEX_TEXT)
    store = SQLiteStore(tmp_path / "k.db")
    index_document(store, "t1", acme, acme_chunks, embedder)
    index_document(store, "t2", globex, globex_chunks, embedder)
    index_document(store, "t1", globex, globex_chunks, embedder)  # t1's rows now interleave

    def both(tenant, question, doc_ids):
        fast = store.keyword_search(tenant, question, limit=50, doc_ids=doc_ids)
        span = store._pk_span(tenant, store._generation(tenant), doc_ids)
        original = store._pk_span
        store._pk_span = lambda *args: None  # type: ignore[method-assign]
        try:
            tokens = store.keyword_search(tenant, question, limit=50, doc_ids=doc_ids)
        finally:
            store._pk_span = original  # type: ignore[method-assign]
        assert [(h.chunk.id, h.score, h.keyword_rank) for h in fast] == [
            (h.chunk.id, h.score, h.keyword_rank) for h in tokens
        ]
        return span, fast

    try:
        for question in QUESTIONS:
            span, hits = both("t1", question, [acme.id])
            assert span is not None and hits
            assert both("t1", question, [globex.id])[0] is not None
            assert both("t2", question, None)[0] is not None  # one document: one range
            # t1's two documents are separated by t2's rows: scope tokens, never the range.
            assert both("t1", question, None)[0] is None
            assert both("t1", question, [acme.id, globex.id])[0] is None
            assert both("t1", question, ["unknown"]) == (None, [])
        store.delete_document("t2", globex.id)  # leaves a hole of unused pks inside t1's range
        for question in QUESTIONS:
            assert both("t1", question, None)[0] is None  # conservative: counts must fill it
            assert both("t1", question, [globex.id])[0] is not None
            assert both("t2", question, None) == (None, [])
    finally:
        store.close()


def test_the_filers_own_name_is_not_searched(store, embedder) -> None:
    """Within one filer's documents its name matches only rows that carry it ("Acme Capital"),
    never the statement line the question asks about."""
    rows = {"acme capital": (12.0, 10.0), "net revenue": (5829.0, 5735.0)}
    document, chunks = make_report("acme-10k", rows, ["Acme sells widgets."])
    metadata = {"registrant": "ACME CORPORATION", "registrant_aliases": '["ACM"]'}
    document = document.model_copy(update={"metadata": metadata})
    index_document(store, "t", document, chunks, embedder)
    other, other_chunks = make_report("globex-10k", {"net revenue": (910.0, 870.0)}, ["Globex."])
    other = other.model_copy(update={"metadata": {"registrant": "Globex Inc."}})
    index_document(store, "t", other, other_chunks, embedder)
    retriever = HybridRetriever(store, embedder)
    question = "What was Acme's net revenue in 2019?"
    assert retriever.scoped_query("t", question, [document.id]) == "What was net revenue in 2019?"
    # nor its trading symbol; the planner is told both (Retriever.filer_names)
    by_symbol = "What was ACM's net revenue in 2019?"
    assert retriever.scoped_query("t", by_symbol, [document.id]) == "What was net revenue in 2019?"
    assert retriever.filer_names("t", [document.id]) == {"ACME CORPORATION", "ACM"}
    assert retriever.registrants("t", [document.id]) == {"ACME CORPORATION"}
    # Two filers in scope: the name chooses between them and stays.
    assert retriever.scoped_query("t", question, None) == question
    assert retriever.scoped_query("t", question, [document.id, other.id]) == question
    assert retriever.scoped_query("t", question, ["no-such-doc"]) == question
    top = retriever.retrieve("t", question, doc_ids=[document.id], k=1)[0]
    assert top.chunk.row_label == "net revenue"


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        (
            "What share of buybacks fell in Q4?",
            "What share of buybacks fell in Q4 fourth quarter ?",
        ),
        ("Revenue in Q22023?", "Revenue in Q2 second quarter 2023?"),
        ("As of Q2'2023, is it?", "As of Q2 second quarter '2023, is it?"),
        ("What was FAQ4 or Q5?", "What was FAQ4 or Q5?"),
    ],
)
def test_quarters_are_searched_as_filings_write_them(question: str, searched: str) -> None:
    """ "Q4" meets "During the fourth quarter of fiscal 2022, the Company repurchased ..."."""
    from finrag.lexical import spell_quarters

    assert spell_quarters(question) == searched


@pytest.mark.parametrize(
    ("text", "parted"),
    [
        ("from june 302008 to 2009", "from june 30 2008 to 2009"),
        ("three months ended dec . 282013", "three months ended dec . 28 2013"),
        ("december 2012 and december 31, 2012", "december 2012 and december 31, 2012"),
    ],
)
def test_days_glued_to_years_are_parted(text: str, parted: str) -> None:
    """FinQA's "december 312012" is searched (and read) as "december 31 2012"."""
    from finrag.lexical import unglue_dates

    assert unglue_dates(text) == parted


def test_a_quarter_question_finds_the_sentence_that_spells_it(store, embedder) -> None:
    sentences = [
        "During the fourth quarter of fiscal 2022, the Company repurchased shares at a cost "
        "of $328.1 million.",
        "During fiscal 2022, the Company repurchased shares at a cost of $900.0 million.",
        "Net sales increased in fiscal 2022.",
    ]
    document, chunks = make_report("ulta-8k", {"net sales": (10.2, 8.6)}, sentences)
    index_document(store, "t", document, chunks, embedder)
    retriever = HybridRetriever(store, embedder)
    question = "How much did the Company spend on repurchases in Q4?"
    assert "fourth quarter" in retriever.scoped_query("t", question, [document.id])
    top = retriever.retrieve("t", question, doc_ids=[document.id], k=1)[0]
    assert "fourth quarter" in top.chunk.text


def test_an_abbreviation_the_report_defines_is_searched_in_both_forms(store, embedder) -> None:
    """PepsiCo's division tables print "FLNA"; the analyst asks about Frito-Lay North America.
    The definition sits pages away; ingestion keeps it in the document's metadata."""
    from finrag.documents.abbreviations import ABBREVIATIONS_KEY, encode

    rows = {"flna net revenue": (23291.0, 19608.0), "qfna net revenue": (3160.0, 2751.0)}
    sentences = ["Net revenue grew in North America, led by pricing in our food businesses."]
    pairs = {"FLNA": "Frito-Lay North America", "QFNA": "Quaker Foods North America"}
    question = "What was net revenue of Frito-Lay North America in 2019?"
    tops = {}
    for name, metadata in (("pep-10k", {ABBREVIATIONS_KEY: encode(pairs)}), ("plain-10k", {})):
        document, chunks = make_report(name, rows, sentences)
        document = document.model_copy(update={"metadata": metadata})
        index_document(store, "t", document, chunks, embedder)
        retriever = HybridRetriever(store, embedder)
        searched = retriever.scoped_query("t", question, [document.id])
        assert searched == (f"{question} (FLNA)" if metadata else question)
        tops[name] = retriever.retrieve("t", question, doc_ids=[document.id], k=1)[0].chunk
    assert tops["pep-10k"].row_label == "flna net revenue"
    assert tops["plain-10k"].row_label != "flna net revenue"
