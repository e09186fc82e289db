package datahook

import (
	"errors"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/restapi"
)

// TestVerdict reads every answer a hook may give: Bmob's three shapes, and
// anything else as an error (the request then fails closed).
func TestVerdict(t *testing.T) {
	tests := []struct {
		body, data, refusal, err string
	}{
		{body: `{"msg":"ok"}`},
		{body: `{"success":"ok","data":"{\"sex\":1}"}`, data: `{"sex":1}`},
		{body: `{"success":"ok","data":{"sex":1}}`, data: `{"sex":1}`},
		{body: `{"success":"ok"}`},
		{body: `{"msg":"Order表禁止操作"}`, refusal: "Order表禁止操作"},
		{body: `{"msg":403}`, refusal: "403"},
		{body: `{"msg":"OK"}`, refusal: "OK"},
		{body: `sure`, err: `answered "sure"; a hook answers {"msg":"ok"}`},
		{body: ``, err: `answered ""`},
		{body: `[1]`, err: `answered "[1]"`},
		{body: `{"ok":true}`, err: `without "msg" or "success"`},
		{body: `{"success":"yes"}`, err: `"success":"yes"; only "ok" is known`},
		{body: `{"success":"ok","data":[1]}`, err: `"data":[1]; data is the request's data as JSON text`},
	}
	for _, tt := range tests {
		v, err := Verdict([]byte(tt.body))
		var refusal *restapi.HookRefusal
		switch {
		case tt.refusal != "":
			if !errors.As(err, &refusal) || refusal.Msg != tt.refusal {
				t.Errorf("%s: %v, want the refusal %q", tt.body, err, tt.refusal)
			}
		case tt.err != "":
			if err == nil || errors.As(err, &refusal) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, want an error containing %q", tt.body, err, tt.err)
			}
		default:
			if err != nil || v.Data != tt.data {
				t.Errorf("%s: %+v %v, want data %q", tt.body, v, err, tt.data)
			}
		}
	}
}
