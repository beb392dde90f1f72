"""Rasa's own validation of the training data (what `rasa train` runs first), with one check told
what this project is: most responses in bot/domain/ are said by the actions
(`dispatcher.utter_message(response=...)`) or by the gateway (`unionkit.texts`), not by a story or a
rule, and Rasa's check warned about each of those ("The utterance 'utter_x' is not used in any story
or rule", about 200 lines on every training). Here a response counts as used when a story or rule
says it, or when the code names it (literally, or by a prefix of an f-string such as
"utter_wechat_label_{kind}"); only a response nobody uses is reported. The Makefile runs this and
then `rasa train --skip-validation`. Rasa 3.6 also warns "Slot auto-fill has been removed in 3.0" on
every validation whatever the domain says (rasa/shared/core/slot_mappings.py calls it without a
condition): that line is silenced here, as it tells nothing about this project.

    python -m scripts.validate_training [--config config/config.yml --domain bot/domain --data nlu bot/data]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("actions", "bot", "unionkit", "rasa_components", "config", "scripts")
NAME = re.compile(r"\butter_[A-Za-z0-9_]+")
PREFIX = re.compile(r"[\"'](utter_[A-Za-z0-9_]*)\{")


def names_in_code(root: Path = ROOT) -> tuple[set[str], set[str]]:
    """Response names the code mentions, and the prefixes of names it builds."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for folder in CODE_DIRS:
        for path in (root / folder).rglob("*"):
            if path.suffix not in (".py", ".yml", ".yaml", ".html", ".js") or "__pycache__" in path.parts:
                continue
            if path.is_relative_to(root / "bot" / "domain"):
                continue  # the domain defines them; saying is what counts
            text = path.read_text(errors="replace")
            names.update(NAME.findall(text))
            prefixes.update(PREFIX.findall(text))
    return names, prefixes


def unused_responses(validator, root: Path = ROOT) -> list[str]:
    from rasa.shared.core.events import ActionExecuted

    said = {e.action_name for step in validator.story_graph.story_steps for e in step.events
            if isinstance(e, ActionExecuted) and e.action_name}
    named, prefixes = names_in_code(root)
    responses = [a for a in validator.domain.utterances_for_response]
    return sorted(r for r in responses if r not in said and r not in named
                  and not any(r.startswith(p) for p in prefixes if p))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="config/config.yml")
    parser.add_argument("--domain", default="bot/domain")
    parser.add_argument("--data", nargs="+", default=["nlu", "bot/data"])
    args = parser.parse_args()

    import warnings

    warnings.filterwarnings("ignore", message="Slot auto-fill has been removed")
    import rasa.cli.utils as cli_utils
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    def verify_utterances(self, ignore_warnings: bool = True) -> bool:
        unused = unused_responses(self)
        if unused:
            print(f"* responses that no story, rule or code uses: {', '.join(unused)}")
        return ignore_warnings or not unused

    Validator.verify_utterances_in_stories = verify_utterances
    importer = TrainingDataImporter.load_from_config(domain_path=args.domain, training_data_paths=args.data,
                                                     config_path=args.config)
    cli_utils.validate_files(False, None, importer)  # exits non-zero on an error, as rasa train does
    return 0


if __name__ == "__main__":
    sys.exit(main())
