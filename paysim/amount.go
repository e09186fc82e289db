package paysim

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseYuan turns an amount in yuan ("0.01", "12", "3.5") into fen. "" is 0.
// Negative amounts, more than two decimals and absurd sizes are refused.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") || len(frac) > 2 || len(whole) > 12 {
		return 0, fmt.Errorf("amount %q: want yuan with at most two decimals, like 0.01", s)
	}
	digits := func(p string) bool {
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("amount %q: want yuan with at most two decimals, like 0.01", s)
	}
	var fen int64
	if whole != "" {
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("amount %q: %w", s, err)
		}
		fen = w * 100
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return fen + f, nil
}

// FormatYuan writes fen as yuan with two decimals: 1 → "0.01".
func FormatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
