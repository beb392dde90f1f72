"""The test stories as a gate (`make test-stories`, part of `make test`): fails on any failed story.

1. Dialogue: `rasa test core --stories tests/test_conversations.yml` on the trained model; any story in
   its failed_test_stories.yml (or a non-zero exit) fails the gate.
2. NLU: every turn of the stories that has both `user:` and `intent:` is parsed by the same model
   (the whole pipeline, FallbackClassifier included, as a worker's message is) and must get that
   intent. `rasa test core` alone does not check it, and `--e2e` would also demand an intent for the
   value answers (a name, an amount, a phone), which the form reads from the text whatever the NLU
   makes of them: those turns have only `user:` and are not checked here.

    python -m scripts.test_stories [--model models/union.tar.gz] [--stories tests/test_conversations.yml]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
ENV = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_WARN_20="0")
ALL_GOOD = "None of the test stories failed"


def labelled_turns(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(story, text, intent) of every turn with both a text and an intent; buttons ("/affirm") skipped."""
    turns = []
    for path in paths:
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or []:
            for step in story.get("steps") or []:
                text, intent = step.get("user"), step.get("intent")
                if text is not None and intent and not str(text).startswith("/"):
                    turns.append((story["story"], str(text), intent))
    return turns


def story_files(stories: Path) -> list[Path]:
    return sorted(stories.rglob("*.yml")) if stories.is_dir() else [stories]


def run_core(model: Path, stories: Path, out: Path) -> tuple[bool, str]:
    log = out / "rasa.log"
    with open(log, "w") as fh:
        done = subprocess.run([RASA, "test", "core", "--model", str(model), "--stories", str(stories), "--out", str(out),
                               "--no-plot"], cwd=ROOT, env=ENV, stdout=fh, stderr=subprocess.STDOUT)
    failed = out / "failed_test_stories.yml"
    if done.returncode != 0 or not failed.exists():
        return False, f"rasa test core did not run (exit {done.returncode}):\n" + log.read_text(errors="replace")[-3000:]
    text = failed.read_text(encoding="utf-8")
    if ALL_GOOD in text:
        correct = [line.split("Correct:")[1].strip() for line in log.read_text(errors="replace").splitlines()
                   if "Correct:" in line][:1]
        return True, f"dialogue: {correct[0] if correct else 'all'} stories correct"
    return False, text + "\nrasa test core: the stories above failed (`# predicted:` marks each wrong action)"


def check_nlu(model: Path, turns: list[tuple[str, str, str]]) -> list[str]:
    sys.path.insert(0, str(ROOT))  # the project's own components (rasa_components/)
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    agent = Agent.load(str(model))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(text) for _, text, _ in turns]

    wrong = []
    for (story, text, intent), parsed in zip(turns, asyncio.run(parse_all())):
        got = (parsed.get("intent") or {}).get("name")
        if got != intent:
            confidence = (parsed.get("intent") or {}).get("confidence") or 0
            wrong.append(f"- {story}: `{text}` should be {intent}, the NLU says {got} ({confidence:.2f})")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/union.tar.gz")
    parser.add_argument("--stories", default="tests/test_conversations.yml")
    args = parser.parse_args(argv)
    model, stories = ROOT / args.model, ROOT / args.stories
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stories-", dir=ROOT / "var") as tmp:
        ok, message = run_core(model, stories, Path(tmp))
    print(message)
    turns = labelled_turns(story_files(stories))
    wrong = check_nlu(model, turns)
    if wrong:
        print(f"NLU: {len(wrong)} of {len(turns)} labelled turns get another intent:\n" + "\n".join(wrong))
    else:
        print(f"NLU: all {len(turns)} labelled turns get their intent")
    return 0 if ok and not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
