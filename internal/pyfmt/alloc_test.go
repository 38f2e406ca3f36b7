package pyfmt

import "testing"

// TestParseFloatOfUsualTextAllocatesLittle: the usual float text (within
// strconv's reach) is read without an allocation, or one with an
// exponent; one more a call crept in with the long texts' normalising
// (0685b06), which every exact Float.Add paid.
func TestParseFloatOfUsualTextAllocatesLittle(t *testing.T) {
	for s, most := range map[string]float64{"3.25": 0, "-0.1": 0, "12345678901234567": 0, "0.30000000000000004": 0, "inf": 0, "1e-05": 1, "1.5e+300": 1} {
		if n := testing.AllocsPerRun(200, func() { _, _ = ParseFloat(s, 64) }); n > most {
			t.Errorf("ParseFloat(%q): %.0f allocations a call, want at most %.0f", s, n, most)
		}
	}
}
