package alipaysim

import (
	"fmt"
	"strconv"
	"strings"
)

// maxFen is Alipay's largest single amount, 100000000.00 yuan.
const maxFen = 100_000_000_00

// parseYuan reads an Alipay amount ("0.01", "9.9", "100") into fen. Alipay
// takes yuan with at most two decimals, between 0.01 and 100000000.
func parseYuan(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || !digits(whole) || (hasDot && (frac == "" || len(frac) > 2 || !digits(frac))) {
		return 0, fmt.Errorf("amount %q is not yuan with at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	fen := w*100 + f
	if fen < 1 || fen > maxFen {
		return 0, fmt.Errorf("amount %q is outside 0.01 to 100000000", s)
	}
	return fen, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// yuan writes fen as Alipay writes amounts: yuan with two decimals.
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }
