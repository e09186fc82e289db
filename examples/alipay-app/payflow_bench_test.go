package alipayapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/modules"
)

// BenchmarkTutorialPayFlow measures the tutorial's pay flow over HTTP: pay.js runs
// addOrder.js through oFunctions.run (one durable insert), then signs the orderStr
// with alipay-sdk (RSA2, 2048-bit). The scripts are read from ../shared at run time,
// their key placeholders filled as the conformance suite fills them; nothing of
// them is copied into this repository.
func BenchmarkTutorialPayFlow(b *testing.B) {
	scripts := filepath.Join("..", "..", "..", "shared", "conformance", "scripts")
	pay, err := os.ReadFile(filepath.Join(scripts, "pay.js"))
	if err != nil {
		b.Skipf("tutorial scripts not found beside the repo: %v", err)
	}
	addOrder, err := os.ReadFile(filepath.Join(scripts, "addOrder.js"))
	if err != nil {
		b.Fatal(err)
	}
	_, appPriv, _ := exampletest.RSAKey(b)
	_, _, alipayPub := exampletest.RSAKey(b)
	dir := b.TempDir()
	paySrc := strings.NewReplacer("appId: '2021xxx'", "appId: '"+appID+"'",
		"privateKey: ``", "privateKey: `"+appPriv+"`", "alipayPublicKey: ``", "alipayPublicKey: `"+alipayPub+"`").Replace(string(pay))
	_ = os.WriteFile(filepath.Join(dir, "pay.js"), []byte(paySrc), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "addOrder.js"), addOrder, 0o644)
	emu := exampletest.Start(b, dir, modules.Compat, nil)
	body := map[string]any{"productId": "PROD_1", "userId": "U1", "orderName": "数据恢复产品 A", "total_amount": 198.01}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := emu.Post(b, "pay", body)
			if r.Status != 200 || !strings.Contains(r.Text, `"code":200`) {
				b.Fatalf("pay: %d %s", r.Status, r.Text)
			}
		}
	})
}
