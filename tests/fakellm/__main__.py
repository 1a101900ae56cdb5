"""Run the fake LLM server on its own: ``python -m tests.fakellm --port 8099 --mode slow --latency 0.5``."""

from __future__ import annotations

import argparse
import time

from tests.fakellm.server import FakeLLM, Mode


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Gemini / OpenAI-compatible server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.VALID.value)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds, for --mode slow")
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long")
    args = parser.parse_args()
    with FakeLLM(port=args.port, latency=args.latency, default=Mode(args.mode)) as fake:
        print(f"fake LLM on http://127.0.0.1:{fake.port} (OpenAI base {fake.openai_url})", flush=True)
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
