# /// script
# dependencies = ["trl", "datasets", "websockets>=12"]
# ///
"""GRPO on ToolOrchestra's QA episodes with TRL's `environment_factory`.

The server side:

    ./orchestra env serve --config CATALOG --tasks tasks.jsonl --index index.db --max-sessions 256

TRL creates one `OrchestraEnv` per generation; each holds one WebSocket session of the server (OpenEnv's protocol:
`{"type": "reset"|"step"|"state"|"close", "data": {...}}` in, `{"type": "observation"|"state"|"error", "data": {...}}`
out). The model's tool calls (search, enhance_reasoning, answer, each with a `model` alias) are sent as structured
actions; the server runs them with the catalog's experts, billed, and the tool's result comes back as the tool message.
The reward is the episode's outcome (1 solved, 0 not), as the server reports it at `done`. The dollars, seconds and
calls per alias are in the final observation's `metadata`, and every episode is a stored run: `orchestra reward
runs/env/*.jsonl` gives the paper's group-normalised reward per episode if you want to train on it instead.

Note: TRL keeps one growing chat per episode, while the QA protocol rebuilds the orchestrator's prompt every turn
(each observation's `messages`). To train on exactly those prompts, write a `rollout_func` that generates from each
observation's `messages` + `tools` and sends the raw text as `{"message": ...}` instead.

Not run in this repository's CI (no GPU, no PyPI here); the server side is tested in
tests/ToolOrchestra.Environments.Tests/Servers.
"""

import json
import os

from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer
from websockets.sync.client import connect

ENV_URL = os.environ.get("ORCHESTRA_ENV_URL", "ws://127.0.0.1:8000/ws")
ENV_KEY = os.environ.get("ORCHESTRA_ENV_KEY")  # needed when the server is bound beyond loopback
TASKS = os.environ.get("ORCHESTRA_TASKS", "tasks.jsonl")


class OrchestraEnv:
    def __init__(self):
        headers = {"Authorization": f"Bearer {ENV_KEY}"} if ENV_KEY else None
        self._ws = connect(ENV_URL, additional_headers=headers, max_size=16 * 1024 * 1024)
        self.reward = 0.0
        self.done = False
        self.metadata = {}

    def __del__(self):
        try:
            self._ws.close()  # frees the server's session at once (idle ones are freed after --session-timeout anyway)
        except Exception:
            pass

    def _send(self, message: dict) -> dict:
        self._ws.send(json.dumps(message))
        reply = json.loads(self._ws.recv())
        if reply["type"] == "error":
            raise ValueError(f"{reply['data']['code']}: {reply['data']['message']}")
        return reply["data"]

    def reset(self, **kwargs) -> str | None:
        result = self._send({"type": "reset", "data": {"task_id": kwargs["task_id"]}})
        self.reward, self.done, self.metadata = 0.0, False, {}
        # The protocol's user message: the problem, the user's preferences, the documents gathered so far.
        return result["observation"]["messages"][-1]["content"]

    def _call(self, name: str, model: str) -> str:
        if self.done:
            raise ValueError("The episode is over: the answer was given.")
        result = self._send({"type": "step", "data": {"tool_calls": [{"name": name, "arguments": {"model": model}}]}})
        observation = result["observation"]
        if result["done"]:
            self.done, self.reward, self.metadata = True, float(result["reward"] or 0.0), observation["metadata"]
            return f"Final answer: {observation.get('answer')}"
        last = observation.get("last_result") or {}
        return last.get("content", "")

    def search(self, model: str) -> str:
        """
        Search for documents relevant to the problem, with a model that writes the query.

        Args:
            model: The search alias to use, e.g. search-1.

        Returns:
            What the search found.
        """
        return self._call("search", model)

    def enhance_reasoning(self, model: str) -> str:
        """
        Have a model analyse the problem, write code, run it and return intermediate results.

        Args:
            model: The reasoner alias to use, e.g. reasoner-1.

        Returns:
            The reasoning model's results.
        """
        return self._call("enhance_reasoning", model)

    def answer(self, model: str) -> str:
        """
        Give the final answer, written by the chosen answer model. Ends the episode.

        Args:
            model: The answer alias to use, e.g. answer-1.

        Returns:
            The final answer.
        """
        return self._call("answer", model)


def reward_func(environments, **kwargs) -> list[float]:
    return [env.reward for env in environments]


def load_dataset(path: str) -> Dataset:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return Dataset.from_dict({
        "prompt": [[{"role": "user", "content": r.get("question") or r["problem"]}] for r in rows],
        "task_id": [str(r["id"]) for r in rows],
    })


if __name__ == "__main__":
    trainer = GRPOTrainer(
        model=os.environ.get("ORCHESTRA_POLICY_MODEL", "Qwen/Qwen3-8B"),
        train_dataset=load_dataset(TASKS),
        reward_funcs=reward_func,
        args=GRPOConfig(
            num_generations=8,               # one GRPO group per task: 8 sessions of the server at once per prompt
            max_completion_length=4096,      # all turns of an episode together
            chat_template_kwargs={"enable_thinking": True},
            log_completions=True,
        ),
        environment_factory=OrchestraEnv,
    )
    trainer.train()
