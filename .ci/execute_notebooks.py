"""Execute notebooks the way `nbdev_test` does (cells flagged slow / gpu / notest and `eval: false` skipped) and store
their outputs in place, so that a reader sees the figures and printed results without running anything.

    .venv/bin/python .ci/execute_notebooks.py nbs/00_pose.ipynb nbs/04_flow.ipynb ...   # then: nbdev_clean
    .venv/bin/python .ci/execute_notebooks.py --slow nbs/08_evaluate.ipynb   # also the slow cells (a trained run)

Figures are stored at 72 dpi; stderr (warnings, progress bars), memory addresses and widget views (which need a live
kernel) are not stored. A notebook that
fails stops with its traceback and is left unchanged."""
import json, os, re, sys
from pathlib import Path
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc
from fastcore.xtras import working_directory

SKIP_FLAGS = {'slow', 'gpu', 'notest'}
ADDRESS = re.compile(r' at 0x[0-9a-f]+')

def _skipped(cell, skip_flags=SKIP_FLAGS) -> bool:
    if cell.cell_type != 'code': return True
    directives = getattr(cell, 'directives_', {}) or {}
    if directives.get('eval:', [''])[0].lower() == 'false': return True
    return bool(skip_flags & directives.keys())

def _kept(output: dict) -> dict | None:
    "The output as stored: no stderr, no memory addresses, no execution counts."
    if output.get('output_type') == 'stream' and output.get('name') == 'stderr': return None
    if output.get('output_type') in ('execute_result', 'display_data'):
        data = output.get('data', {})
        # a widget needs its live kernel: stored without its state it shows an error, so the notebook draws a picture too
        if 'application/vnd.jupyter.widget-view+json' in data: return None
        if any(ADDRESS.search(''.join(v) if isinstance(v, list) else str(v)) for k, v in data.items() if k == 'text/plain') and len(data) == 1:
            return None
        output = {**output, 'execution_count': None} if output['output_type'] == 'execute_result' else output
    if output.get('output_type') == 'stream':
        text = ''.join(output['text']) if isinstance(output['text'], list) else output['text']
        output = {**output, 'text': ADDRESS.sub('', text)}
    return output

def execute(path: Path, slow: bool = False):
    path = Path(path).resolve()
    raw = json.loads(path.read_text())
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    shell = CaptureShell(path)
    os.environ.setdefault('IN_TEST', '1')
    with working_directory(path.parent):
        shell.run("import matplotlib; matplotlib.rcParams['figure.dpi'] = 72; matplotlib.rcParams['savefig.dpi'] = 72")
        flags = SKIP_FLAGS - {'slow'} if slow else SKIP_FLAGS
        shell.run_all(nb, exc_stop=True, preproc=lambda cell: _skipped(cell, flags))
    for stored, ran in zip(raw['cells'], nb.cells):
        if stored['cell_type'] != 'code': continue
        outputs = [o for o in (_kept(dict(o)) for o in (ran.get('outputs') or [])) if o is not None]
        stored['outputs'] = json.loads(json.dumps(outputs))
        stored['execution_count'] = None
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + '\n')

if __name__ == '__main__':
    slow = '--slow' in sys.argv[1:]
    for p in (a for a in sys.argv[1:] if a != '--slow'):
        print(f'executing {p}' + (' with its slow cells' if slow else ''), flush=True)
        execute(Path(p), slow)
