package runtime

import (
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// Scripts forward err.message (and sometimes err.stack) to their clients, so the
// texts of the common errors follow V8 in Node 16 rather than goja:
//
//	goja: Cannot read property 'x' of undefined
//	Node: Cannot read properties of undefined (reading 'x')
//
// goja builds these errors inside its VM with no hook, so the runtime rewrites
// them where a script can first see them: at the top of every catch block
// (compileScript inserts a call on the block's first line, so line numbers do not
// move), in promise rejection handlers (Promise.prototype.then is wrapped), and
// in uncaught errors before they are reported. The stack loses the emulator's own
// frames and takes V8's layout ("    at f (file.js:3:5)").

// nodeErrorFunc is the global the inserted catch-clause calls go through; it is
// non-enumerable.
const nodeErrorFunc = "__bmobemuNodeError"

var (
	reReadProp    = regexp.MustCompile(`^Cannot read property '(.*)' of undefined(?: or null)?$`)
	reNoMember    = regexp.MustCompile(`^Object has no member '(.*)'$`)
	reNotObject   = regexp.MustCompile(`^Value is not an object: (undefined|null|.*)$`)
	reStackFrame  = regexp.MustCompile(`^\s*at (?:(.*) \()?(.+?):(\d+):(\d+)(?:\(\d+\))?\)?$`)
	reFramePC     = regexp.MustCompile(`:(\d+):(\d+)\(\d+\)`)
	internalFrame = []string{"internal/eventloop", "eventloop-trampoline", "node:internal/", "github.com/", "(native)"}
)

// instrument returns the script's text with two kinds of insertions, or "" when
// it needs none. Neither adds a line, so line numbers stay:
//
//   - `e=__bmobemuNodeError(e);` right after the opening brace of every
//     `catch (e) {` block, so that the caught value is normalized before the
//     script reads it;
//   - `undefined;` in the empty body of a loop (`while (true) {}`, `for (;;);`):
//     goja has no source position for such a loop's jump, and a deadline
//     interrupting it was reported at an earlier statement (often 1:1); the read
//     gives the loop a position of its own.
func instrument(prg *ast.Program, text string) string {
	type insertion struct {
		at   int // 0-based offset in text: insert before the byte there
		text string
	}
	var ins []insertion
	loopBody := func(body ast.Statement) {
		switch b := body.(type) {
		case *ast.BlockStatement:
			if len(b.List) == 0 {
				ins = append(ins, insertion{int(b.LeftBrace), "undefined;"})
			}
		case *ast.EmptyStatement:
			ins = append(ins, insertion{int(b.Semicolon) - 1, "undefined"})
		}
	}
	walkAST(reflect.ValueOf(prg), func(n any) {
		switch s := n.(type) {
		case *ast.CatchStatement:
			if id, ok := s.Parameter.(*ast.Identifier); ok && s.Body != nil {
				name := id.Name.String()
				ins = append(ins, insertion{int(s.Body.LeftBrace), name + "=" + nodeErrorFunc + "(" + name + ");"})
			}
		case *ast.WhileStatement:
			loopBody(s.Body)
		case *ast.DoWhileStatement:
			loopBody(s.Body)
		case *ast.ForStatement:
			loopBody(s.Body)
		case *ast.ForInStatement:
			loopBody(s.Body)
		case *ast.ForOfStatement:
			loopBody(s.Body)
		}
	})
	if len(ins) == 0 {
		return ""
	}
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].at > ins[j].at })
	for _, in := range ins {
		// Idx values are 1-based offsets: LeftBrace-1 is the '{', so inserting at
		// LeftBrace puts the text right after it.
		if in.at < 1 || in.at >= len(text) {
			continue
		}
		// Only right after a '{' or right before a ';', as computed; anything else
		// means the offsets are not what they seem, and the source is left alone.
		if text[in.at-1] != '{' && text[in.at] != ';' {
			continue
		}
		text = text[:in.at] + in.text + text[in.at:]
	}
	return text
}

// walkAST calls visit on every node pointer reachable from v.
func walkAST(v reflect.Value, visit func(any)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		visit(v.Interface())
		walkAST(v.Elem(), visit)
	case reflect.Interface:
		if !v.IsNil() {
			walkAST(v.Elem(), visit)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkAST(v.Field(i), visit)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkAST(v.Index(i), visit)
		}
	}
}

// installNodeErrors defines the catch-clause hook and wraps Promise#then.
func (v *vu) installNodeErrors() error {
	vm := v.vm
	fix := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if obj, ok := call.Argument(0).(*goja.Object); ok {
			v.normalizeError(obj)
		}
		return call.Argument(0)
	})
	if err := vm.GlobalObject().DefineDataProperty(nodeErrorFunc, fix, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		return err
	}
	wrap, err := vm.RunString(`(function (fix) {
  var then = Promise.prototype.then;
  Object.defineProperty(Promise.prototype, 'then', {
    value: function then_(onFulfilled, onRejected) {
      var r = typeof onRejected === 'function' ? function (e) { return onRejected.call(this, fix(e)); } : onRejected;
      return then.call(this, onFulfilled, r);
    }, writable: true, configurable: true,
  });
  Object.defineProperty(Promise.prototype.then, 'name', { value: 'then' });
})`)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(wrap)
	_, err = fn(goja.Undefined(), fix)
	return err
}

// normalizeError rewrites a goja error's message to V8's and its stack to V8's
// layout without the emulator's frames. It is idempotent.
func (v *vu) normalizeError(obj *goja.Object) {
	stackVal := obj.Get("stack")
	if stackVal == nil || goja.IsUndefined(stackVal) {
		return
	}
	stack := stackVal.String()
	msgVal := obj.Get("message")
	msg := ""
	if msgVal != nil && !goja.IsUndefined(msgVal) {
		msg = msgVal.String()
	}
	newMsg := v.v8Message(obj, msg, stack)
	if newMsg != msg {
		_ = obj.DefineDataProperty("message", v.vm.ToValue(newMsg), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	newStack := cleanStack(stack)
	if newMsg != msg {
		newStack = strings.Replace(newStack, msg, newMsg, 1)
	}
	if newStack != stack {
		_ = obj.DefineDataProperty("stack", v.vm.ToValue(newStack), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
}

// cleanStack drops the emulator's frames and writes frames as V8 does.
func cleanStack(stack string) string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	out := lines[:0]
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(strings.TrimSpace(l), "at ") {
			if isInternalFrame(l) {
				continue
			}
			l = "    " + strings.TrimSpace(reFramePC.ReplaceAllString(l, ":$1:$2"))
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func isInternalFrame(line string) bool {
	for _, s := range internalFrame {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// v8Message maps goja's texts of the common TypeErrors to V8's.
func (v *vu) v8Message(obj *goja.Object, msg, stack string) string {
	if name := obj.Get("name"); name == nil || name.String() != "TypeError" {
		return msg
	}
	if m := reReadProp.FindStringSubmatch(msg); m != nil {
		name := m[1]
		if strings.ContainsRune(name, utf8.RuneError) {
			// goja garbles non-ASCII names in this message; read the name from the source.
			if file, line, col, ok := firstFrame(stack); ok {
				if src := v.fn.engine.source(file); src != nil {
					if id := identifierAt(sourceLine(src, line), col); id != "" {
						name = id
					}
				}
			}
		}
		return "Cannot read properties of undefined (reading '" + name + "')"
	}
	if msg == "No initial value" {
		return "Reduce of empty array with no initial value"
	}
	if strings.HasPrefix(msg, "Expecting a function in instanceof check") {
		return "Right-hand side of 'instanceof' is not callable"
	}
	file, line, col, ok := firstFrame(stack)
	if !ok {
		return msg
	}
	src := v.fn.engine.source(file)
	if src == nil {
		return msg
	}
	text := sourceLine(src, line)
	if m := reNoMember.FindStringSubmatch(msg); m != nil {
		if callee := calleeBefore(text, col); callee != "" {
			return callee + " is not a function"
		}
		return msg
	}
	if reNotObject.MatchString(msg) {
		if ctor := constructedAt(text, col); ctor != "" {
			return ctor + " is not a constructor"
		}
		if callee := calleeBefore(text, col); callee != "" {
			return callee + " is not a function"
		}
		return msg
	}
	if msg == "Cannot convert undefined or null to object" {
		if prop := assignedProperty(text, col); prop != "" {
			return "Cannot set properties of undefined (setting '" + prop + "')"
		}
	}
	return msg
}

// identifierAt is the property name at column col (1-based): the identifier
// there, or after a '.' there.
func identifierAt(line []rune, col int) string {
	i := col - 1
	if i >= 0 && i < len(line) && line[i] == '.' {
		i++
	}
	j := i
	for j >= 0 && j < len(line) && (line[j] == '_' || line[j] == '$' || unicode.IsLetter(line[j]) || unicode.IsDigit(line[j])) {
		j++
	}
	if i < 0 || j <= i {
		return ""
	}
	return string(line[i:j])
}

// firstFrame is the innermost script frame of a goja stack: file, line, column.
func firstFrame(stack string) (file string, line, col int, ok bool) {
	for _, l := range strings.Split(stack, "\n")[1:] {
		if isInternalFrame(l) {
			continue
		}
		m := reStackFrame.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		line, _ = strconv.Atoi(m[3])
		col, _ = strconv.Atoi(m[4])
		return m[2], line, col, true
	}
	return "", 0, 0, false
}

func sourceLine(src []byte, line int) []rune {
	lines := strings.Split(string(src), "\n")
	if line < 1 || line > len(lines) {
		return nil
	}
	return []rune(lines[line-1])
}

// calleeBefore is the callee expression of a call whose '(' is at column col
// (1-based): "o.f" in "o.f()", "arr[0]" in "arr[0]()". "" if it is not a call.
func calleeBefore(line []rune, col int) string {
	i := col - 1
	if i < 0 || i >= len(line) || line[i] != '(' {
		return ""
	}
	end := i
	for end > 0 && line[end-1] == ' ' {
		end--
	}
	start := end
	depth := 0
	for start > 0 {
		c := line[start-1]
		switch {
		case c == ']':
			depth++
		case c == '[':
			if depth == 0 {
				return string(line[start:end])
			}
			depth--
		case depth > 0:
		case c == '.' || c == '_' || c == '$' || unicode.IsLetter(c) || unicode.IsDigit(c):
		default:
			return string(line[start:end])
		}
		start--
	}
	return string(line[start:end])
}

// constructedAt is the constructor expression of `new X(…)` starting at column
// col, or "".
func constructedAt(line []rune, col int) string {
	i := col - 1
	if i < 0 || i+4 > len(line) || string(line[i:i+4]) != "new " {
		return ""
	}
	j := i + 4
	k := j
	for k < len(line) && (line[k] == '.' || line[k] == '_' || line[k] == '$' || unicode.IsLetter(line[k]) || unicode.IsDigit(line[k])) {
		k++
	}
	return string(line[j:k])
}

// assignedProperty is the name of the property assigned at column col in
// "a.b = …" (goja reports the property's position), or "".
func assignedProperty(line []rune, col int) string {
	i := col - 1
	if i < 1 || i >= len(line) || line[i-1] != '.' {
		return ""
	}
	j := i
	for j < len(line) && (line[j] == '_' || line[j] == '$' || unicode.IsLetter(line[j]) || unicode.IsDigit(line[j])) {
		j++
	}
	name := string(line[i:j])
	k := j
	for k < len(line) && line[k] == ' ' {
		k++
	}
	if name == "" || k >= len(line) || line[k] != '=' || (k+1 < len(line) && line[k+1] == '=') {
		return ""
	}
	return name
}
