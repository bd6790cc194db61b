package privacy

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// What GuardFit shows of a text is what Guard shows of it, cut: wherever
// the cut falls around a value (before it, through it, through its mask,
// through a multibyte or a two-unit character), and however masks and
// the apostrophe change the length.

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// fitWritten are values the guard masks, and masks longer than their
// value; fitValues adds the values embedded in texts by TestGuard.
var fitWritten = []string{
	"harriet.smith@example.com", "h@ex.co", "ab@cd.ef", "a%40b.co", "x&#64;yz.io",
	"harriet [at] example [dot] com", "jean.dupont arobase free.fr", "ｈａｒｒｉｅｔ＠ｅｘａｍｐｌｅ．ｃｏｍ",
	"fran&ccedil;ois&commat;orange&period;fr", "+33 6 12 34 56 78", "4242-4242-4242-4242",
	"DE89 3704 0044 0532 0130 00", "=harriet@example.com", "-06 12 34 56 78",
}

var fitValues = append(slices.Clone(fitWritten), func() []string {
	var v []string
	for _, e := range embedded {
		v = append(v, e.value)
	}
	return v
}()...)

var fitFillers = []string{"", "x", "é", "😀", "😀😀x", "\xff", "Tel ", "note: ", "=", "a\u0301"}

// checkFit checks GuardFit(s, n) against Guard(s) = full, fc.
func checkFit(t *testing.T, s string, n int, full string, fc Counts) {
	t.Helper()
	got, c, cut := GuardFit(s, n)
	switch {
	case units(got) > max(n, 0):
		t.Errorf("GuardFit(%q, %d) = %q: %d units", s, n, got, units(got))
	case n < 1:
		// Nothing fits, not even the ellipsis.
	case !cut && got != full:
		t.Errorf("GuardFit(%q, %d) = %q uncut, Guard = %q", s, n, got, full)
	case cut && !strings.HasSuffix(got, "…"):
		t.Errorf("GuardFit(%q, %d) = %q, cut without …", s, n, got)
	case cut && !strings.HasPrefix(full, strings.TrimSuffix(got, "…")):
		t.Errorf("GuardFit(%q, %d) = %q, not a prefix of Guard = %q", s, n, got, full)
	case c.Emails > fc.Emails || c.Phones > fc.Phones || c.Cards > fc.Cards || c.IBANs > fc.IBANs:
		t.Errorf("GuardFit(%q, %d) counts %+v, more than Guard's %+v", s, n, c, fc)
	}
}

func TestGuardFitIsGuardCut(t *testing.T) {
	t.Parallel()
	for _, v := range fitValues {
		for _, pre := range fitFillers {
			for _, post := range fitFillers {
				s := pre + v + post
				full, fc := Guard(s)
				for n := 0; n <= units(s)+units(full)+2; n++ {
					checkFit(t, s, n, full, fc)
				}
			}
		}
	}
}

// A value just before, at and after the cut, and a second one around the
// end of what the guard reads (n + reach).
func TestGuardFitAroundReach(t *testing.T) {
	t.Parallel()
	const n = 300
	for i, v := range fitValues {
		// Every offset for the written values; for the others, a few
		// (each text is twice reach long: every offset of every value
		// took 45 s under -race).
		ats := []int{n - len(v) - 1, n - len(v)/2, n, n + 1}
		if i < len(fitWritten) {
			ats = ats[:0]
			for at := n - len(v) - 4; at <= n+4; at++ {
				ats = append(ats, at)
			}
		}
		for _, fill := range []string{"x", "😀"} {
			for _, at := range ats {
				for _, far := range []int{0, reach - len(v) - 4, reach - 2, reach + 2} {
					s := strings.Repeat(fill, max(0, at)/units(fill)) + " " + v + " " + strings.Repeat("y", far) + " " + v + strings.Repeat("z", reach+16)
					full, fc := Guard(s)
					checkFit(t, s, n, full, fc)
					checkFit(t, s, n+far, full, fc)
				}
			}
		}
	}
}

// FuzzGuardFit hides a known value among arbitrary text and cuts it
// anywhere; MaskPrefix is Mask cut, too. Run it for a few minutes:
// go test ./shared/privacy -run '^$' -fuzz FuzzGuardFit -fuzztime 5m
func FuzzGuardFit(f *testing.F) {
	f.Add("x", "y", uint8(0), uint16(5))
	f.Add("😀é", "Tel", uint8(3), uint16(17))
	f.Add("=", "\xff", uint8(8), uint16(1))
	f.Fuzz(func(t *testing.T, before, after string, which uint8, n uint16) {
		if len(before)+len(after) > 600 {
			return
		}
		s := before + fitValues[int(which)%len(fitValues)] + after
		cutAt := int(n) % (units(s) + 8)
		full, fc := Guard(s)
		checkFit(t, s, cutAt, full, fc)
		whole, _ := Mask(s)
		if m, _, _ := MaskPrefix(s, cutAt); !strings.HasPrefix(whole, m) {
			t.Errorf("MaskPrefix(%q, %d) = %q, not a prefix of Mask = %q", s, cutAt, m, whole)
		}
	})
}
