#!/usr/bin/env python3
"""Lint the bats suite for checks that bats silently switches off.

Inside a @test body bats runs with `set -e`, but bash's errexit ignores
the left side of `&&`/`||` and any command negated with `!`; in teardown
and teardown_file bats runs `teardown || status=$?`, which turns errexit
off altogether, so only the last command's status (or an explicit
`return 1`) fails the test.  A check written in one of these positions
can never fail.  Three rules, each one a TAP line per file:

  chain     in a @test body, an `&&`/`||` list that is not the body's last
            command and whose failure is swallowed: one that ends in
            `&& cmd` (a failed left side is ignored), or in `|| cmd`
            where cmd cannot fail (echo, printf, a plain assignment, a
            group ending in one).  Ending in `|| cmd` that can fail is an
            assertion (`|| fail ...`, `|| return 1`, `[ a ] || [ b ]`);
            `|| true`, `|| :` and `|| var=...` (rc=$?, failed=1) say
            plainly that the failure is handled; a chain ending in break,
            continue, return or skip is control flow, not a check;
  negation  a command `! cmd` (bats ignores its status unless it comes
            last): write `run ! cmd` or `if cmd; then fail ...; fi`.  The
            one exception is a function's last command, whose status is
            the function's;
  teardown  in teardown/teardown_file and every function they call, a
            check (an assert_* function, fail, or a function that calls
            one) that is not in tail position (its status is the
            function's) and whose status is not collected
            (`assert_x || failed=1`).

The shell is parsed just enough for this: quotes, $(...), [[ ]], (( ))
and here-documents are masked so that their contents are not commands.

Usage: lint_bats.py [FILE...]  (default: tests/integration/*.bats|bash)
"""

import glob
import os
import re
import sys

# Contexts whose contents are masked (not commands of the statement).
MASKED = {"'", '"', "`", "$(", "$((", "((", "[[", "${"}


def statements(text):
	"""Split shell source into top-level statements.

	Returns a list of (line number, masked text); the contents of quotes
	and substitutions are replaced by Q, here-document bodies dropped.
	"""
	out = []
	buf = []
	start = None
	stack = ["sh"]
	heredocs = []  # pending (delimiter, strip tabs)
	line = 1
	i = 0
	n = len(text)

	def masked():
		return any(c in MASKED for c in stack)

	def emit(s):
		nonlocal start
		if not masked():
			if start is None and s.strip():
				start = line
			buf.append(s)

	def push(ctx, opener):
		if not masked():
			emit(opener + "Q")
		stack.append(ctx)

	def end_statement():
		nonlocal buf, start
		s = "".join(buf).strip()
		if s:
			out.append((start, s))
		buf = []
		start = None

	def at_word_start():
		return i == 0 or text[i - 1] in " \t\n;|&(){}"

	while i < n:
		c = text[i]
		top = stack[-1]
		if top == "'":
			if c == "'":
				stack.pop()
			elif c == "\n":
				line += 1
			i += 1
			continue
		if c == "\\" and top not in ("'",):
			if i + 1 < n and text[i + 1] == "\n":
				line += 1
				emit(" ")
			else:
				emit(text[i:i + 2])
			i += 2
			continue
		if top == '"':
			if c == '"':
				stack.pop()
			elif c == "$" and text.startswith("$(", i):
				push("$((" if text.startswith("$((", i) else "$(", "")
				i += 3 if stack[-1] == "$((" else 2
				continue
			elif c == "`":
				stack.append("`")
			elif c == "\n":
				line += 1
			i += 1
			continue
		if top == "`":
			if c == "`":
				stack.pop()
			elif c == "\n":
				line += 1
			i += 1
			continue
		if top in ("$((", "(("):
			if text.startswith("))", i):
				stack.pop()
				emit(")")
				i += 2
				continue
			if c == "\n":
				line += 1
			i += 1
			continue
		if top == "${":
			if c == "}":
				stack.pop()
			elif c == '"' or c == "'":
				stack.append(c)
			i += 1
			continue
		if top == "[[" and text.startswith("]]", i):
			stack.pop()
			emit("]]")
			i += 2
			continue
		# A shell context: the top level, $(...), a subshell, a group.
		if c == "#" and at_word_start():
			while i < n and text[i] != "\n":
				i += 1
			continue
		if c == "'" or c == '"':
			push(c, "")
			i += 1
			continue
		if c == "`":
			push("`", "")
			i += 1
			continue
		if text.startswith("$((", i):
			push("$((", "$(")
			i += 3
			continue
		if text.startswith("$(", i):
			push("$(", "$(")
			i += 2
			continue
		if text.startswith("${", i):
			push("${", "$")
			i += 2
			continue
		if text.startswith("((", i) and at_word_start():
			push("((", "((")
			i += 2
			continue
		if text.startswith("[[", i) and at_word_start():
			push("[[", "[[")
			i += 2
			continue
		if text.startswith("<<", i) and not text.startswith("<<<", i):
			m = re.match(r"<<(-?)\s*(['\"]?)([\w.-]+)\2", text[i:])
			if m:
				heredocs.append((m.group(3), m.group(1) == "-"))
				emit(m.group(0))
				i += m.end()
				continue
		if c == "(":
			if text.startswith("()", i):
				emit("()")
				i += 2
				continue
			stack.append("(")
			emit(c)
			i += 1
			continue
		if c == ")" and top in ("(", "$("):
			stack.pop()
			emit(c)
			i += 1
			continue
		# A brace group after an operator stays inside its statement.
		if c == "{" and at_word_start() and re.search(r"(&&|\|\||\|)\s*$", "".join(buf)) \
				and not masked():
			stack.append("{")
			emit(c)
			i += 1
			continue
		if c == "}" and top == "{" and at_word_start():
			stack.pop()
			emit(c)
			i += 1
			continue
		if c == "\n":
			line += 1
			i += 1
			while heredocs:
				delim, strip = heredocs.pop(0)
				while i < n:
					j = text.find("\n", i)
					j = n if j < 0 else j
					body = text[i:j]
					i = j + 1
					line += 1
					if (body.lstrip("\t") if strip else body) == delim:
						break
			if len(stack) == 1:
				pending = "".join(buf).rstrip()
				if pending.endswith(("&&", "||", "|")):
					emit(" ")
				else:
					end_statement()
			elif stack[-1] in ("{", "("):
				# A group's lines are its commands.
				emit("; ")
			else:
				emit(" ")
			continue
		if len(stack) == 1 and c == ";":
			end_statement()
			i += 2 if text.startswith(";;", i) else 1
			continue
		if len(stack) == 1 and c == "&" and not text.startswith("&&", i) \
				and (i == 0 or text[i - 1] not in "&>") and not text.startswith("&>", i):
			emit(c)
			end_statement()
			i += 1
			continue
		emit(c)
		i += 1
	end_statement()
	return out


OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done",
           "select": "done", "case": "esac", "{": "}"}
FUNC = re.compile(r"^(?:function\s+)?([\w:.-]+)\s*\(\)\s*\{\s*(.*)$")
TEST = re.compile(r"^@test\s.*\{\s*(.*)$")


class Block:
	"""A test, a function or a compound command: its direct children are
	(line, text) statements, nested Blocks and BRANCH (else, elif)."""

	def __init__(self, kind, name, line):
		self.kind, self.name, self.line = kind, name, line
		self.children = []

	def simple(self):
		"""Every simple statement inside, nested ones included."""
		for ch in self.children:
			if isinstance(ch, Block):
				yield from ch.simple()
			elif ch is not BRANCH:
				yield ch

	def tails(self):
		"""The statements whose status can be this block's: the last one,
		and in an if, the last one of each branch."""
		branches, cur = [], []
		for ch in self.children:
			if ch is BRANCH:
				branches.append(cur)
				cur = []
			else:
				cur.append(ch)
		branches.append(cur)
		if self.kind not in ("test", "func", "if", "{"):
			return set()
		if self.kind != "if":
			branches = branches[-1:]
		found = set()
		for b in branches:
			if not b:
				continue
			last = b[-1]
			found |= last.tails() if isinstance(last, Block) else {last}
		return found


BRANCH = object()


def structure(stmts):
	"""Nest statements into tests, functions and compound commands.
	Returns (tests, functions), both lists of Blocks."""
	root = Block("file", None, 0)
	stack = [root]
	tests, funcs = [], []
	todo = list(stmts)
	while todo:
		line, s = todo.pop(0)
		# A keyword that leads a statement after `;` (then cmd, do cmd).
		m = re.match(r"^(then|do|else)\s+(.*)$", s)
		if m:
			if m.group(1) == "else":
				stack[-1].children.append(BRANCH)
			todo.insert(0, (line, m.group(2)))
			continue
		if s in ("then", "do"):
			continue
		if s == "else" or re.match(r"^elif\b", s):
			stack[-1].children.append(BRANCH)
			continue
		m = TEST.match(s) or FUNC.match(s)
		if m:
			kind = "test" if s.startswith("@test") else "func"
			b = Block(kind, None if kind == "test" else m.group(1), line)
			b.closer = "}"
			(tests if kind == "test" else funcs).append(b)
			stack[-1].children.append(b)
			stack.append(b)
			rest = m.group(m.lastindex)
			if rest:
				todo.insert(0, (line, rest))
			continue
		word = s.split()[0]
		closer = getattr(stack[-1], "closer", None)
		if closer and (word == closer or s.startswith(closer + " ")
				or (closer == "}" and s.startswith("}"))):
			stack.pop()
			continue
		if word in OPENERS and not (word == "{" and s != "{"):
			b = Block(word, None, line)
			b.closer = OPENERS[word]
			stack[-1].children.append(b)
			if word == "case":
				# Its items are patterns, not commands: skip to esac.
				while todo and not re.match(r"^esac\b", todo.pop(0)[1]):
					pass
				continue
			# The condition of if/while is tested, not asserted: it is
			# the block's head, not one of its statements.
			stack.append(b)
			continue
		stack[-1].children.append((line, s))
	return tests, funcs


def top_ops(s):
	"""The `&&`/`||` operators of masked statement s outside its groups,
	as (position, operator)."""
	ops, depth, i = [], 0, 0
	while i < len(s):
		c = s[i]
		if c in "({":
			depth += 1
		elif c in ")}":
			depth -= 1
		elif depth == 0 and s.startswith(("&&", "||"), i):
			ops.append((i, s[i:i + 2]))
			i += 2
			continue
		i += 1
	return ops


# A chain ending in these is control flow, not a check.
CONTROL = re.compile(r"^(break|continue|return|skip)\b")
# A failure handled on purpose: dropped (true, :) or recorded in a
# variable (rc=$?, failed=1, or a choice: `[ -e f ] || f=other`).
EXPECTED = re.compile(r"^(true|:|\w+=.*)$")
# Commands that cannot fail: a `|| cmd` ending in one swallows the failure.
NEVER_FAILS = re.compile(r"^(echo|printf)\b")


def can_fail(cmd):
	"""Whether the last command of a chain can fail the chain."""
	if cmd.startswith("{") and cmd.endswith("}"):
		inner = [c.strip() for c in cmd[1:-1].split(";") if c.strip()]
		return bool(inner) and can_fail(inner[-1])
	return not NEVER_FAILS.match(cmd)


def chain_ok(s):
	ops = top_ops(s)
	if not ops:
		return True
	pos, op = ops[-1]
	final = s[pos + 2:].strip()
	if CONTROL.match(final):
		return True
	if op == "&&":
		return False
	return EXPECTED.match(final) is not None or can_fail(final)


def negated(s):
	return re.match(r"^!\s", s) is not None


def words(block):
	"""The words of block's statements (a function it calls is one)."""
	for _, s in block.simple():
		yield from re.findall(r"[\w:.-]+", s)


def lint(files):
	parsed = {}
	funcs = {}  # name -> [Block]
	for f in files:
		with open(f) as fh:
			tests, fs = structure(statements(fh.read()))
		parsed[f] = (tests, fs)
		for b in fs:
			funcs.setdefault(b.name, []).append(b)
	# Everything teardown and teardown_file may run.
	reach, todo = set(), ["teardown", "teardown_file"]
	while todo:
		name = todo.pop()
		if name in reach or name not in funcs:
			continue
		reach.add(name)
		for b in funcs[name]:
			todo.extend(w for w in words(b) if w in funcs)
	# The checks: assert_*, fail, and every function that calls one.
	checks = {n for n in funcs if n.startswith("assert_")} | {"fail"}
	grown = True
	while grown:
		grown = False
		for name, bs in funcs.items():
			if name not in checks and any(w in checks for b in bs for w in words(b)):
				checks.add(name)
				grown = True

	results = []
	for f in files:
		tests, fs = parsed[f]
		problems = []
		for t in tests:
			tails = t.tails()
			for line, s in t.simple():
				if (line, s) not in tails and not chain_ok(s):
					problems.append(f"{line}: chain whose failure is ignored: {s}")
		for b in tests + fs:
			tails = b.tails() if b.kind == "func" else set()
			for line, s in b.simple():
				if negated(s) and (line, s) not in tails:
					problems.append(f"{line}: '!' negation (write run ! or if/fail): {s}")
		for b in fs:
			if b.name not in reach:
				continue
			tails = b.tails()
			for line, s in b.simple():
				first = s.split()[0]
				if first in checks and (line, s) not in tails and not top_ops(s):
					problems.append(f"{line}: check {first} in {b.name} (run by teardown) "
						"with its status dropped")
		results.append((f, sorted(set(problems), key=lambda p: int(p.split(":")[0]))))
	return results


def main():
	files = sys.argv[1:]
	if not files:
		here = os.path.dirname(os.path.abspath(__file__))
		files = sorted(glob.glob(os.path.join(here, "integration", "*.bats"))
			+ glob.glob(os.path.join(here, "integration", "*.bash")))
	results = lint(files)
	print(f"1..{len(results)}")
	bad = 0
	for k, (f, problems) in enumerate(results, 1):
		name = os.path.relpath(f)
		if name.startswith(".."):
			name = f
		if problems:
			bad += 1
			print(f"not ok {k} {name}")
			for p in problems:
				print(f"# {name}:{p}")
		else:
			print(f"ok {k} {name}")
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
