"""Who speaks which line: a scan of the game's script bytecode, and compact names.

Scripts live in module files 60400 + n (script number: module << 12 | index).
A module is little-endian u16 words: word 0 is the number of scripts n, word i
(1 <= i <= n) the start of script i; script 1 starts right after, at word n + 1. The bytecode
is a stack machine; opcodes and their inline argument words:
  0 push_variable v   1 less_than      2 push_number n   3 not_equal
  4 if_and            5 skip_zero d    6 pop_var v       7 minus
  8 plus              9 skip_always d 10 if_or          11 call_mcode k, 4*f
 12 more_than        13 exit (alias)  14 switch n, n x (value, skip), default
 15 push_offset e    16 pop_offset e  17 is_equal       18 skip_nz d
 19 script_exit      20 restart_script
call_mcode pops k arguments (the first argument was pushed first) and calls
engine function f. fnSpeakMe(target, text, anim) and its variants make compact
`target` speak text number `text`; fnAskThis(text, anim) puts a line on the
player's conversation menu (the player, Foster, then says it).

sky.cpt (ScummVM's engine data file, shipped with the game): u16 version 0,
u16 number of lists, a u16 length per list, u32 raw size and u32 source size
(in words), the source words (per compact: u16 size; if non-zero, u16 type and
`size` words), then u32 size and the NUL-separated names of those compacts in
order. Compact id = list << 12 | index.
"""
import collections
import struct

F_MODULE_0 = 60400

# Engine function numbers (the engine's mcode table order), those that matter here.
FN_SPEAK_ME = 35
FN_SPEAK_ME_DIR = 36
FN_SPEAK_WAIT = 37
FN_SPEAK_WAIT_DIR = 38
FN_ASK_THIS = 70
SPEAK_FUNCTIONS = {FN_SPEAK_ME: "fnSpeakMe", FN_SPEAK_ME_DIR: "fnSpeakMeDir",
                   FN_SPEAK_WAIT: "fnSpeakWait", FN_SPEAK_WAIT_DIR: "fnSpeakWaitDir"}

# Inline argument words per opcode (14, switch, is variable).
_ARGS = {0: 1, 1: 0, 2: 1, 3: 0, 4: 0, 5: 1, 6: 1, 7: 0, 8: 0, 9: 1, 10: 0, 11: 2,
         12: 0, 13: 0, 15: 1, 16: 1, 17: 0, 18: 1, 19: 0, 20: 0}
_BINARY = {1, 3, 4, 7, 8, 10, 12, 17}  # pop 2, push 1


class ScriptError(ValueError):
    pass


class Var(int):
    """A value pushed from script variable number int(self), not a constant."""

    def __repr__(self):
        return "Var(%d)" % int(self)


def module_words(data):
    if len(data) % 2:
        data = data[:-1]
    return struct.unpack("<%dH" % (len(data) // 2), data)


def scan_module(words):
    """Yields (function number, argument tuple) for each engine call in a module,
    an argument being its pushed constant or None when it was computed.
    The module is decoded linearly from its first script to its end; the value
    stack is followed symbolically and cleared where a script starts or ends."""
    if not words:
        return
    table_len = words[0] + 1
    if not 0 < table_len <= len(words):
        raise ScriptError("bad offset table length %d" % table_len)
    starts = {w for w in words[1:table_len] if table_len <= w < len(words)}
    for fn, args, _ in _scan(words, table_len, len(words), starts):
        if fn is not None:
            yield fn, args


# Engine functions that hand a script to a compact: (function, argument index of
# the script, argument index of the compact that runs it or None: the caller).
FN_INTERACT = 6
_SCRIPT_HANDOVERS = ((7, 0, None),    # fnStartSub(script)
                     (24, 0, None),   # fnSetAlternate(script)
                     (8, 1, 0),       # fnTheyStartSub(mega, script)
                     (9, 1, 0),       # fnAssignBase(id, script)
                     (25, 1, 0),      # fnAltSetAlternate(target, script)
                     (46, 1, 0))      # fnSendRequest(target, script)
CUR_ID_VAR = 12      # script variable: the compact running the script
TALK_TARGET_VAR = 120  # script variable the player's scripts speak through (the other party)
PLAYER_ID = 3        # Foster

# Word offsets in a compact's data (type 1): the script it runs when the player
# acts on it, and the scripts it runs itself.
CPT_TYPE_COMPACT = 1
CPT_ACTION_SCRIPT = 17
CPT_OWN_SCRIPTS = (27, 29, 31, 33, 41, 42)  # base, action, get-to, extra sub; alt; request


def module_scripts(module_no, words):
    """[(start word, script number)] of a module, sorted by start."""
    n = words[0]
    starts = {}
    for i in range(1, min(n + 1, len(words))):
        if n < words[i] < len(words) and words[i] not in starts:
            starts[words[i]] = (module_no << 12) | i
    return sorted(starts.items())


def script_events(modules):
    """{script number: [(function, args, value of TALK_TARGET_VAR or None)]} for all
    calls in each script, `modules` being {module number: words}. A constant
    stored into TALK_TARGET_VAR earlier in the same script is followed."""
    events = {}
    for module_no, words in sorted(modules.items()):
        scripts = module_scripts(module_no, words)
        bounds = [start for start, _ in scripts]
        owner = {}
        for k, (start, num) in enumerate(scripts):
            end = bounds[k + 1] if k + 1 < len(bounds) else len(words)
            owner[start] = (num, end)
            events.setdefault(num, [])
        for start, num in scripts:
            _, end = owner[start]
            talk = None
            for fn, args, stores in _scan_range(words, start, end):
                if fn is None:
                    talk = stores
                    continue
                events[num].append((fn, args, talk))
    return events


def _scan_range(words, start, end):
    """Like scan_module over words[start:end]; also yields (None, None, value) when
    TALK_TARGET_VAR is assigned (value None if it is not a constant)."""
    return _scan(words, start, end)


def _scan(words, start, end, starts=frozenset()):
    """Yields (function, arguments, None) for each engine call in words[start:end] and
    (None, None, value) for each assignment to TALK_TARGET_VAR; the value stack is
    cleared at the word offsets in `starts` (script starts) and where a script ends."""
    stack = []
    i = start
    while i < end:
        if i in starts:
            stack = []
        op = words[i]
        i += 1
        if op == 2:
            stack.append(words[i])
            i += 1
        elif op == 0:
            stack.append(Var(words[i] // 4))
            i += 1
        elif op == 15:
            stack.append(None)
            i += 1
        elif op in _BINARY:
            stack[-2:] = [None]
        elif op == 6:
            value = stack.pop() if stack else None
            if words[i] // 4 == TALK_TARGET_VAR:
                yield None, None, value if not isinstance(value, Var) else None
            i += 1
        elif op in (5, 16, 18):
            del stack[-1:]
            i += 1
        elif op == 9:
            i += 1
        elif op == 11:
            if i + 1 >= len(words):
                raise ScriptError("call at the end of the module")
            nargs, fn = words[i], words[i + 1] // 4
            i += 2
            if nargs > 3:
                raise ScriptError("call with %d arguments at word %d" % (nargs, i - 3))
            args = [None] * max(0, nargs - len(stack)) + stack[len(stack) - nargs:] if nargs else []
            del stack[max(0, len(stack) - nargs):]
            yield fn, tuple(args), None
        elif op == 14:
            i += 1 + 2 * words[i] + 1
            del stack[-1:]
        elif op in (13, 19, 20):
            stack = []
        else:
            raise ScriptError("unknown opcode %d at word %d" % (op, i - 1))


def _const(v):
    return v is not None and not isinstance(v, Var)


# Script variables the engine fills at start with script numbers in other modules
# (its "forward lists"); scripts start such scripts through these variables.
_FORWARD_LISTS = (
    (352, (0x10a9, 0x10a2, 0x10a1, 0x10ab, 0x23, 0x1056, 0x1057, 0x1073, 0x1075, 0x2c,
           0x2109, 0x206c, 0x210d, 0x210e, 0x210a, 0x76, 0x210c, 0x2105, 0x2106, 0x2108,
           0x20e0, 0x20e1, 0x2091, 0x2092, 0x210f, 0x2f, 0x30, 0x31, 0x32, 0x3139,
           0x30f2, 0x30f3, 0x30f4, 0x313a, 0x313b, 0x313c, 0x30b7, 0x30b8, 0x30bd, 0x313d,
           0x2110, 0x313e, 0x30d4, 0x313f, 0x30fe, 0x2079, 0x312b, 0x312c, 0x5d, 0x2036,
           0x209a, 0x209b, 0x20a6, 0x2077, 0x312a, 0x2078, 0x5b, 0, 0, 0x38,
           0x39, 0x5c, 0x3b)),
    (656, (0x9, 0x6, 0x5, 0x2, 0x24, 0x4, 0x26)),
    (663, (0x5001, 0x5002, 0x5007, 0x5009, 0x512d, 0x5003, 0x5133, 0x5062, 0x5063, 0x5175,
           0x5004, 0x4b, 0x46, 0x47)),
    (721, (0x4001, 0x4018, 0x400d, 0x4002, 0x4003, 0x401d, 0x4015, 0x4004, 0x40, 0x41,
           0x42, 0x401c, 0x400e, 0x400c, 0x4008, 0x4005, 0x43, 0x44, 0x4006, 0x45, 0x412b)),
    (505, (0x6009, 0x605d, 0x6061, 0x6062, 0x605f, 0x6060, 0x600f)),
)
FORWARD_SCRIPTS = {base + k: scr for base, scripts in _FORWARD_LISTS
                   for k, scr in enumerate(scripts) if scr}


def _script_arg(v):
    """A script number argument: a constant, or a forward-list variable."""
    if isinstance(v, Var):
        return FORWARD_SCRIPTS.get(int(v))
    return v


def script_contexts(events, compacts):
    """({script: set of compact ids that run it}, {script: set of ids it talks to})
    from the compacts' script fields and the scripts handing scripts on.
    compacts: {id: (type, words)}."""
    runners = {s: set() for s in events}
    targets = {s: set() for s in events}
    action_of = {}
    for cid, (ctype, w) in compacts.items():
        # Objects have short compacts (no mega data): only the fields they hold.
        if ctype != CPT_TYPE_COMPACT or len(w) <= CPT_ACTION_SCRIPT:
            continue
        scr = w[CPT_ACTION_SCRIPT]
        if scr in events:
            runners[scr].add(PLAYER_ID)
            targets[scr].add(cid)
            action_of[cid] = scr
        for field in CPT_OWN_SCRIPTS:
            scr = w[field] if field < len(w) else None
            if scr in events:
                runners[scr].add(cid)
    changed = True
    while changed:
        changed = False
        for s, calls in events.items():
            for fn, args, talk in calls:
                for hfn, si, ri in _SCRIPT_HANDOVERS:
                    dest = _script_arg(args[si]) if fn == hfn and len(args) > si else None
                    if dest in events:
                        new_r = {args[ri]} if ri is not None and _const(args[ri]) else (
                            set() if ri is not None else runners[s])
                        new_t = {talk} if talk is not None else targets[s]
                        if not new_r <= runners[dest] or not new_t <= targets[dest]:
                            runners[dest] |= new_r
                            targets[dest] |= new_t
                            changed = True
                if fn == FN_INTERACT and args and _const(args[0]) and args[0] in action_of:
                    dest = action_of[args[0]]
                    if not runners[s] <= runners[dest]:
                        runners[dest] |= runners[s]
                        changed = True
    return runners, targets


def speaker_votes(events, runners, targets):
    """{text number: Counter of speaker compact ids} over all speak calls whose
    speaker is known: a constant, the script's only runner (CUR_ID) or the only
    party it talks to (TALK_TARGET_VAR); fnAskThis lines go to the player."""
    votes = collections.defaultdict(collections.Counter)
    for s, calls in events.items():
        for fn, args, talk in calls:
            if fn == FN_ASK_THIS and len(args) == 2 and _const(args[0]):
                votes[args[0]][PLAYER_ID] += 1
                continue
            if fn not in SPEAK_FUNCTIONS or len(args) != 3 or not _const(args[1]):
                continue
            who, text = args[0], args[1]
            if _const(who):
                speaker = who
            elif who == CUR_ID_VAR and isinstance(who, Var):
                speaker = next(iter(runners[s])) if len(runners[s]) == 1 else None
            elif who == TALK_TARGET_VAR and isinstance(who, Var):
                if talk is not None:
                    speaker = talk
                else:
                    speaker = next(iter(targets[s])) if len(targets[s]) == 1 else None
            else:
                speaker = None
            if speaker is not None:
                votes[text][speaker] += 1
    return votes


def parse_cpt(blob):
    """{compact id: (name, type, words)} from sky.cpt bytes."""
    pos = 0
    version, nlists = struct.unpack_from("<HH", blob, pos)
    pos += 4
    if version != 0:
        raise ValueError("unknown sky.cpt version %d" % version)
    lens = struct.unpack_from("<%dH" % nlists, blob, pos)
    pos += 2 * nlists
    _raw_words, src_words = struct.unpack_from("<II", blob, pos)
    pos += 8
    src = struct.unpack_from("<%dH" % src_words, blob, pos)
    pos += 2 * src_words
    (ascii_size,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    names = blob[pos:pos + ascii_size].split(b"\0")
    out = {}
    k = 0
    j = 0
    for lst in range(nlists):
        for idx in range(lens[lst]):
            size = src[k]
            k += 1
            if size:
                name = names[j].decode("latin-1") if j < len(names) else ""
                out[(lst << 12) | idx] = (name, src[k], src[k + 1:k + 1 + size])
                j += 1
                k += 1 + size
    if k != src_words:
        raise ValueError("compact sizes do not add up (%d of %d words)" % (k, src_words))
    return out


def parse_cpt_names(blob):
    """{compact id: name} from sky.cpt bytes."""
    return {cid: v[0] for cid, v in parse_cpt(blob).items()}
