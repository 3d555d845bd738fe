package pickle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache/serializer"
)

func bigInt(s string) *big.Int {
	x, _ := new(big.Int).SetString(s, 10)
	return x
}

var paris, _ = time.LoadLocation("Europe/Paris")

// typeCases: each Python expression, the Go value it maps to.
var typeCases = []struct {
	name string
	py   string
	go_  any
}{
	{"None", "None", nil},
	{"True", "True", true},
	{"False", "False", false},
	{"int small", "7", int64(7)},
	{"int 300", "300", int64(300)},
	{"int 70000", "70000", int64(70000)},
	{"int negative", "-5", int64(-5)},
	{"int64 max", "2**63-1", int64(1<<63 - 1)},
	{"int64 min", "-2**63", int64(-1 << 63)},
	{"int beyond int64", "2**64+5", bigInt("18446744073709551621")},
	{"int very negative", "-2**100", bigInt("-1267650600228229401496703205376")},
	{"int 128", "128", int64(128)},
	{"int -128", "-128", int64(-128)},
	{"int 2**31", "2**31", int64(1 << 31)},
	{"float", "1.5", 1.5},
	{"float negative", "-0.25", -0.25},
	{"str", "'héllo'", "héllo"},
	{"str empty", "''", ""},
	{"str long", "'x'*300", strings.Repeat("x", 300)},
	{"bytes", "b'\\x00\\xffab'", []byte{0, 0xff, 'a', 'b'}},
	{"bytes long", "b'y'*300", bytes.Repeat([]byte("y"), 300)},
	{"list", "[1, 'a', None]", []any{int64(1), "a", nil}},
	{"list empty", "[]", []any{}},
	{"tuple", "(1, 2)", Tuple{int64(1), int64(2)}},
	{"tuple 5", "(1, 2, 3, 4, 5)", Tuple{int64(1), int64(2), int64(3), int64(4), int64(5)}},
	{"tuple empty", "()", Tuple{}},
	{"dict", "{'a': 1, 'b': [2]}", map[string]any{"a": int64(1), "b": []any{int64(2)}}},
	{"dict int keys", "{1: 'x'}", map[any]any{int64(1): "x"}},
	{"set", "{1, 2}", Set{int64(1): {}, int64(2): {}}},
	{"set empty", "set()", Set{}},
	{"frozenset", "frozenset({'a'})", FrozenSet{"a": {}}},
	{"datetime naive", "datetime.datetime(2024, 2, 29, 13, 4, 5, 123456)", NaiveDateTime{time.Date(2024, 2, 29, 13, 4, 5, 123456000, time.UTC)}},
	{"datetime utc", "datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)", time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)},
	{"datetime offset", "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))", time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))},
	{"datetime zoneinfo", "datetime.datetime(2024, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo('Europe/Paris'))", time.Date(2024, 7, 1, 12, 0, 0, 0, paris)},
	{"date", "datetime.date(1999, 12, 31)", Date{1999, 12, 31}},
	{"time", "datetime.time(23, 59, 58, 7)", Time{23, 59, 58, 7, nil}},
	{"time aware", "datetime.time(1, 2, 3, tzinfo=datetime.timezone.utc)", Time{1, 2, 3, 0, time.UTC}},
	{"timedelta", "datetime.timedelta(days=1, seconds=2, microseconds=3)", 24*time.Hour + 2*time.Second + 3*time.Microsecond},
	{"timedelta negative", "datetime.timedelta(seconds=-1)", -time.Second},
	{"Decimal", "decimal.Decimal('1.50')", Decimal("1.50")},
	{"Decimal NaN", "decimal.Decimal('NaN')", Decimal("NaN")},
	{"UUID", "uuid.UUID('12345678-1234-5678-1234-567812345678')", UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}},
	{"nested", "{'k': [(1, b'x'), {'s': {3}}]}", map[string]any{"k": []any{Tuple{int64(1), []byte("x")}, map[string]any{"s": Set{int64(3): {}}}}}},
}

// equal compares decoded values; times by instant and offset.
func equal(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		return ok && ta.Equal(tb) && oa == ob
	}
	if ta, ok := a.(Time); ok {
		tb, ok := b.(Time)
		return ok && ta.Hour == tb.Hour && ta.Minute == tb.Minute && ta.Second == tb.Second && ta.Microsecond == tb.Microsecond && (ta.Location == nil) == (tb.Location == nil)
	}
	if xa, ok := a.(*big.Int); ok {
		xb, ok := b.(*big.Int)
		return ok && xa.Cmp(xb) == 0
	}
	return reflect.DeepEqual(a, b)
}

// python runs script with python3, or skips (fails under CI) without it.
func python(t *testing.T, script string, stdin []byte) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 is needed to check pickles against Python (CI is set)")
		}
		t.Skip("python3 not found: the pickles are not checked against Python")
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python3: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return out
}

const pyPrelude = "import sys, json, pickle, datetime, decimal, uuid, zoneinfo\n"

// TestPythonWritesGoReads: for protocols 2 to 5, Python's pickle of every
// type of the table reads as the documented Go value.
func TestPythonWritesGoReads(t *testing.T) {
	exprs := make([]string, len(typeCases))
	for i, c := range typeCases {
		exprs[i] = c.py
	}
	in, _ := json.Marshal(exprs)
	out := python(t, pyPrelude+`
res = []
for e in json.load(sys.stdin):
    v = eval(e)
    res.append([pickle.dumps(v, p).hex() for p in (2, 3, 4, 5)])
json.dump(res, sys.stdout)`, in)
	var got [][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i, c := range typeCases {
		for p, h := range got[i] {
			b, _ := hex.DecodeString(h)
			v, err := Loads(b)
			if err != nil {
				t.Errorf("%s, protocol %d: %v (%x)", c.name, p+2, err, b)
				continue
			}
			if !equal(v, c.go_) {
				t.Errorf("%s, protocol %d: got %#v, want %#v", c.name, p+2, v, c.go_)
			}
		}
	}
}

// TestGoWritesPythonReads: Python loads what Dumps writes for every type of
// the table and finds it == the Python expression (and of the same type).
func TestGoWritesPythonReads(t *testing.T) {
	pickles := make([][2]string, len(typeCases))
	for i, c := range typeCases {
		b, err := Dumps(c.go_)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		pickles[i] = [2]string{c.py, hex.EncodeToString(b)}
	}
	in, _ := json.Marshal(pickles)
	out := python(t, pyPrelude+`
bad = []
for e, h in json.load(sys.stdin):
    want = eval(e)
    got = pickle.loads(bytes.fromhex(h))
    if (got != want and not (isinstance(want, decimal.Decimal) and want.is_nan() and got.is_nan())) or type(got) is not type(want) or getattr(got, 'tzinfo', None) != getattr(want, 'tzinfo', None) or getattr(got, 'utcoffset', lambda: None)() != getattr(want, 'utcoffset', lambda: None)():
        bad.append('%s: got %r' % (e, got))
json.dump(bad, sys.stdout)`, in)
	var bad []string
	if err := json.Unmarshal(out, &bad); err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestGoRoundTrip: Dumps then Loads gives the value back.
func TestGoRoundTrip(t *testing.T) {
	for _, c := range typeCases {
		b, err := Dumps(c.go_)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		v, err := Loads(b)
		if err != nil || !equal(v, c.go_) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, v, err, c.go_)
		}
	}
}

// TestUnknownClassIsNamed: a pickle of a class outside the table is an
// error naming it, whatever the protocol.
func TestUnknownClassIsNamed(t *testing.T) {
	out := python(t, pyPrelude+`
import collections, fractions
res = []
for v in (collections.OrderedDict(a=1), fractions.Fraction(1, 3), Exception('x')):
    res.append([type(v).__module__ + '.' + type(v).__qualname__, [pickle.dumps(v, p).hex() for p in (2, 5)]])
json.dump(res, sys.stdout)`, nil)
	var got []struct {
		Name    string
		Pickles []string
	}
	var raw [][]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		var g struct {
			Name    string
			Pickles []string
		}
		_ = json.Unmarshal(r[0], &g.Name)
		_ = json.Unmarshal(r[1], &g.Pickles)
		got = append(got, g)
	}
	for _, g := range got {
		for _, h := range g.Pickles {
			b, _ := hex.DecodeString(h)
			_, err := Loads(b)
			var uc *UnknownClassError
			if !errors.As(err, &uc) || !strings.Contains(err.Error(), g.Name[strings.LastIndex(g.Name, ".")+1:]) {
				t.Errorf("%s: error %v, want an UnknownClassError naming it", g.Name, err)
			}
			if err := (Serializer{}).Decode(b, new(any)); !errors.Is(err, serializer.ErrEncode) {
				t.Errorf("%s: Decode error %v does not wrap ErrEncode", g.Name, err)
			}
		}
	}
}

// TestStoredForm: ints are decimal text (Django's RedisSerializer rule),
// everything else a pickle; ToWhole/FromWhole convert for db and file.
func TestStoredForm(t *testing.T) {
	s := Serializer{}
	tests := []struct {
		v    any
		want string
	}{
		{42, "42"}, {int64(-7), "-7"}, {uint64(1 << 63), "9223372036854775808"}, {bigInt("123456789012345678901234567890"), "123456789012345678901234567890"},
	}
	for _, tt := range tests {
		b, err := s.Encode(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("Encode(%v) = %q, %v; want %q", tt.v, b, err, tt.want)
		}
		w := s.ToWhole(b)
		if w[0] != 0x80 {
			t.Errorf("ToWhole(%q) = %x, not a pickle", b, w)
		}
		if back := s.FromWhole(w); string(back) != tt.want {
			t.Errorf("FromWhole(ToWhole(%q)) = %q", b, back)
		}
	}
	b, _ := s.Encode(true)
	if b[0] != 0x80 {
		t.Errorf("a bool is pickled (Python's bool is no int to RedisSerializer): %x", b)
	}
}

// TestIncr: Python's + on ints, big ints and floats; not on str.
func TestIncr(t *testing.T) {
	s := Serializer{}
	fl, _ := Dumps(1.5)
	str, _ := Dumps("x")
	tests := []struct {
		name    string
		stored  []byte
		delta   int64
		n       int64
		out     string // decimal text, or "" for a pickle checked below
		errIs   error
		written bool
	}{
		{"int", []byte("41"), 1, 42, "42", nil, true},
		{"negative", []byte("1"), -3, -2, "-2", nil, true},
		{"to big", []byte("9223372036854775807"), 1, 0, "9223372036854775808", serializer.ErrIncrOverflow, true},
		{"big back", []byte("9223372036854775808"), -1, 1<<63 - 1, "9223372036854775807", nil, true},
		{"float", fl, 1, 2, "", serializer.ErrNotInteger, true},
		{"str", str, 1, 0, "", serializer.ErrNotInteger, false},
	}
	for _, tt := range tests {
		n, out, err := s.Incr(tt.stored, tt.delta)
		if n != tt.n || (tt.out != "" && string(out) != tt.out) || (out != nil) != tt.written || !errors.Is(err, tt.errIs) || (tt.errIs == nil && err != nil) {
			t.Errorf("%s: got %d, %q, %v", tt.name, n, out, err)
		}
	}
	_, out, _ := s.Incr(fl, 1)
	if v, err := Loads(out); err != nil || v != 2.5 {
		t.Errorf("float sum stored as %v, %v; want 2.5", v, err)
	}
}

// TestDecodeTyped: typed destinations take lossless conversions.
func TestDecodeTyped(t *testing.T) {
	s := Serializer{}
	type item struct {
		Name string
		Tags []string
		N    int
	}
	b, _ := s.Encode(map[string]any{"Name": "a", "Tags": []string{"x"}, "N": 3, "extra": 1})
	var it item
	if err := s.Decode(b, &it); err != nil || !reflect.DeepEqual(it, item{"a", []string{"x"}, 3}) {
		t.Errorf("struct: %+v, %v", it, err)
	}
	b, _ = s.Encode(item{"b", nil, 1})
	var back item
	if err := s.Decode(b, &back); err != nil || back.Name != "b" || back.N != 1 {
		t.Errorf("struct round trip: %+v, %v", back, err)
	}
	b, _ = s.Encode(bigInt("99999999999999999999"))
	var i64 int64
	if err := s.Decode(b, &i64); err == nil {
		t.Error("a big int decoded into int64 without error")
	}
	var bi *big.Int
	if err := s.Decode(b, &bi); err != nil || bi.String() != "99999999999999999999" {
		t.Errorf("*big.Int: %v, %v", bi, err)
	}
	b, _ = s.Encode(NaiveDateTime{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	var tm time.Time
	if err := s.Decode(b, &tm); err != nil || !tm.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("naive into time.Time: %v, %v", tm, err)
	}
	var str string
	b, _ = s.Encode([]int{1})
	if err := s.Decode(b, &str); !errors.Is(err, serializer.ErrEncode) {
		t.Errorf("list into string: %v", err)
	}
}

// TestMemcachedFlags: pymemcache's pickle serde flags both ways.
func TestMemcachedFlags(t *testing.T) {
	s := Serializer{}
	for _, tt := range []struct {
		v     any
		flags uint32
		raw   string
	}{
		{"héllo", FlagText, "héllo"}, {[]byte("ab"), FlagBytes, "ab"}, {12, FlagInteger, "12"}, {1.5, FlagPickle, ""},
	} {
		front, _ := s.Encode(tt.v)
		raw, flags := ForMemcached(front)
		if flags != tt.flags || (tt.raw != "" && string(raw) != tt.raw) {
			t.Errorf("%v: %q flags %d", tt.v, raw, flags)
		}
		back, err := FromMemcached(raw, flags)
		if err != nil || !bytes.Equal(back, front) {
			t.Errorf("%v: back %x, %v; want %x", tt.v, back, err, front)
		}
	}
	if _, err := FromMemcached([]byte("x"), 8); err == nil {
		t.Error("compressed flag accepted")
	}
}

// TestMalformed: cut and corrupted pickles are errors, never panics.
func TestMalformed(t *testing.T) {
	for _, c := range typeCases {
		b, _ := Dumps(c.go_)
		for i := range b {
			if _, err := Loads(b[:i]); err == nil {
				t.Errorf("%s cut at %d: no error", c.name, i)
			}
		}
	}
	for _, b := range [][]byte{
		[]byte("\x80\x05]\x94h\x00a."),                          // a list containing itself
		[]byte("\x80\x05(((((((((("),                            // marks only
		[]byte("\x80\x05\x8a\xff"),                              // LONG1 past the end
		[]byte("\x80\x05\x8d\xff\xff\xff\xff\xff\xff\xff\x7f."), // huge BINUNICODE8
		[]byte("\x80\x02c__builtin__\neval\n."),                 // a function
		[]byte("\x80\x05\x8c\x02os\x8c\x06system\x93."),
	} {
		if _, err := Loads(b); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
}

// FuzzLoads: no input makes the reader panic or hang; what it accepts
// writes back and reads as the same value.
func FuzzLoads(f *testing.F) {
	for _, c := range typeCases {
		b, _ := Dumps(c.go_)
		f.Add(b)
	}
	f.Add([]byte("\x80\x02c__builtin__\nset\n]\x85R."))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Loads(b)
		if err != nil {
			return
		}
		again, err := Dumps(v)
		if err != nil {
			return // e.g. a naive time of day with a fold bit
		}
		if _, err := Loads(again); err != nil {
			t.Fatalf("%x read, written as %x, which does not read: %v", b, again, err)
		}
	})
}
