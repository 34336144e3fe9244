"""The pinyin dictionary loaded in a process of its own while a build starts up: the build
gets the syllables pypinyin gives, without loading the dictionary itself, and any other
process (a forked worker) loads it rather than sharing the build's pipe."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

TEXTS = [
    "客户关系管理",
    "银行的行业报告",  # 行 read as hang, then xing: the phrase dictionary at work
    "2026 年 CRM 选型指南：第 3 部分",
    "No Chinese at all",
    "重庆",
]

HELPER_ANSWERS = textwrap.dedent(
    """
    import json, os, sys
    from leadpress.content import pinyin

    texts = json.loads(sys.argv[1])
    pinyin.start_loading()
    answers = [pinyin.syllables(text) for text in texts]
    answered_by_helper = pinyin._helper is not None and "pypinyin" not in sys.modules
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a worker forked from the build: it must not use the build's pipe
        os.close(read)
        in_child = pinyin.syllables(texts[0])
        os.write(write, json.dumps([in_child, "pypinyin" in sys.modules]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_answer, child_loaded = json.loads(pipe.read())
    os.waitpid(child, 0)
    again = pinyin.syllables(texts[1])  # the pipe still answers in order
    pinyin.stop_loading()

    from pypinyin import Style, lazy_pinyin
    expected = [lazy_pinyin(t, style=Style.NORMAL, v_to_u=False) for t in texts]
    print(json.dumps({
        "same": answers == expected,
        "helper": answered_by_helper,
        "child_same": child_answer == expected[0],
        "child_loaded_itself": child_loaded,
        "again_same": again == expected[1],
    }))
    """
)


def _run(script: str) -> dict:
    """What `script` prints, run with `TEXTS` in a fresh interpreter: one where neither
    pypinyin nor the dictionary process is loaded yet."""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_dictionary_process_answers_as_pypinyin_does_and_only_to_the_build() -> None:
    assert _run(HELPER_ANSWERS) == {
        "same": True,
        "helper": True,
        "child_same": True,
        "child_loaded_itself": True,
        "again_same": True,
    }


def test_without_the_dictionary_process_the_syllables_are_the_same() -> None:
    from pypinyin import Style, lazy_pinyin

    from leadpress.content import pinyin

    assert pinyin._helper is None
    for text in TEXTS:
        assert pinyin.syllables(text) == lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)


# A script that starts the pinyin helper and records each request sent to it.
SENDS_RECORDED = textwrap.dedent(
    """
    import json, sys
    from leadpress.content import pinyin

    texts = json.loads(sys.argv[1])
    pinyin.start_loading()
    exchanges = []
    send = pinyin._helper.send
    pinyin._helper.send = lambda wanted: exchanges.append(list(wanted)) or send(wanted)
    """
)

ASKED_AHEAD = SENDS_RECORDED + textwrap.dedent(
    """
    pinyin.ask_ahead(texts + texts)
    answers = [pinyin.syllables(text) for text in texts]
    answers[0].append("changed by a caller")  # must not change what the next call gets
    again = pinyin.syllables(texts[0])
    pinyin.stop_loading()
    helper_loaded_it = "pypinyin" not in sys.modules

    from pypinyin import Style, lazy_pinyin
    expected = [lazy_pinyin(t, style=Style.NORMAL, v_to_u=False) for t in texts]
    print(json.dumps({
        "same": answers[1:] == expected[1:] and again == expected[0],
        "exchanges": exchanges,
        "helper_loaded_it": helper_loaded_it,
    }))
    """
)


def test_the_syllables_of_many_texts_come_in_one_exchange() -> None:
    # Slugs of a site's titles and tags: one round trip to the process, not one each.
    assert _run(ASKED_AHEAD) == {
        "same": True,
        "exchanges": [TEXTS],
        "helper_loaded_it": True,
    }


ASKED_TWICE_AHEAD = SENDS_RECORDED + textwrap.dedent(
    """
    # Titles, then tags, each asked for before any answer is read (as a build does).
    pinyin.ask_ahead(texts[:2])
    pinyin.ask_ahead(texts)
    answers = [pinyin.syllables(text) for text in texts]
    pinyin.stop_loading()

    from pypinyin import Style, lazy_pinyin
    expected = [lazy_pinyin(t, style=Style.NORMAL, v_to_u=False) for t in texts]
    print(json.dumps({"same": answers == expected, "exchanges": exchanges}))
    """
)


def test_a_second_request_ahead_waits_for_the_first_answer_and_asks_only_for_the_rest() -> None:
    assert _run(ASKED_TWICE_AHEAD) == {"same": True, "exchanges": [TEXTS[:2], TEXTS[2:]]}


STOPPED_WHILE_A_FORK_LIVES = textwrap.dedent(
    """
    import json, os, select, sys, time
    from leadpress.content import pinyin

    pinyin.start_loading()
    release, hold = os.pipe()
    child = os.fork()
    if child == 0:  # e.g. the card-drawing process, still running when the build stops
        os.close(hold)
        select.select([release], [], [], 20)  # until the parent lets it end, or 20 s
        os._exit(0)
    os.close(release)
    started = time.monotonic()
    pinyin.stop_loading()  # must not wait for the fork, which holds no end of the pipes
    seconds = time.monotonic() - started
    child_alive = os.waitpid(child, os.WNOHANG) == (0, 0)
    os.close(hold)
    os.waitpid(child, 0)
    print(json.dumps({"stopped_at_once": seconds < 10, "child_was_alive": child_alive}))
    """
)


def test_stopping_the_dictionary_process_does_not_wait_for_other_forks() -> None:
    # A process forked from the build closes its copy of the pipes: otherwise the helper
    # never sees the end of its requests while that process lives, and stopping it hangs.
    assert _run(STOPPED_WHILE_A_FORK_LIVES) == {"stopped_at_once": True, "child_was_alive": True}
