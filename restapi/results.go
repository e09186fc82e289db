package restapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// The typed results of the operations (ops.go). Each JSON method writes the
// exact text its route answers (compact, keys sorted, no HTML escaping, as
// encode does); MarshalJSON makes the same text when a result sits in a route's
// answer.

// Created is the answer of Create and SignUp: 201 {"createdAt","objectId"},
// with "sessionToken" for a sign-up. A one-step sign-up (smsCode, authData)
// answers the whole user instead, 200 when it logged an existing user in.
type Created struct {
	ObjectID     string
	CreatedAt    string // as Bmob writes times (bjtime.Format)
	SessionToken string // set for a sign-up
	// Location is the new object's path (the Location header).
	Location string

	user   map[string]any // a one-step sign-up's answer
	status int
}

// Status is the route's HTTP status: 201, or 200 for a one-step log-in.
func (c *Created) Status() int {
	if c.status != 0 {
		return c.status
	}
	return http.StatusCreated
}

// JSON is the route's answer text.
func (c *Created) JSON() ([]byte, error) {
	if c.user != nil {
		return encode(c.user)
	}
	b := make([]byte, 0, 96)
	b = append(b, `{"createdAt":`...)
	b = appendString(b, c.CreatedAt)
	b = append(b, `,"objectId":`...)
	b = appendString(b, c.ObjectID)
	if c.SessionToken != "" {
		b = append(b, `,"sessionToken":`...)
		b = appendString(b, c.SessionToken)
	}
	return append(b, '}'), nil
}

// MarshalJSON is JSON.
func (c *Created) MarshalJSON() ([]byte, error) { return c.JSON() }

// createdOf is the typed form of a create handler's answer.
func createdOf(ans answer) *Created {
	if c, ok := ans.body.(*Created); ok {
		return c
	}
	user, _ := ans.body.(map[string]any)
	c := &Created{user: user, status: ans.status}
	c.ObjectID, _ = user["objectId"].(string)
	c.CreatedAt, _ = user["createdAt"].(string)
	c.SessionToken, _ = user["sessionToken"].(string)
	if loc := ans.header.Get("Location"); loc != "" {
		c.Location = loc
	}
	return c
}

// answer is the route's answer for c.
func (c *Created) answer() answer {
	return answer{body: c, status: c.Status(), header: http.Header{"Location": {c.Location}}}
}

// Object is one object as REST shows it (Get, Login).
type Object = map[string]any

// Found is the answer of Find: {"results":[…]} (+"count"), or the groups of a
// statistics query.
type Found struct {
	Results []map[string]any
	Count   int
	Counted bool // the query asked for a count
	// Groups is set for statistics: a bare array, or {"results":[…]} for an
	// SDK caller (statshape.go).
	Groups     []map[string]any
	wrapGroups bool
}

// JSON is the route's answer text.
func (f *Found) JSON() ([]byte, error) {
	if f.Groups != nil {
		if f.wrapGroups {
			return encode(map[string]any{"results": f.Groups})
		}
		return encode(f.Groups)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	if f.Counted {
		buf.WriteString(`"count":`)
		buf.Write(strconv.AppendInt(nil, int64(f.Count), 10))
		buf.WriteByte(',')
	}
	buf.WriteString(`"results":`)
	if len(f.Results) == 0 {
		buf.WriteString("[]}")
		return buf.Bytes(), nil
	}
	// The rows go straight into buf, encoded as encode does (no HTML escaping).
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f.Results); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return append(b, '}'), nil
}

// MarshalJSON is JSON.
func (f *Found) MarshalJSON() ([]byte, error) { return f.JSON() }

// Updated is the answer of Update and UpdateUser: {"updatedAt"}.
type Updated struct {
	UpdatedAt string // as Bmob writes times
}

// JSON is the route's answer text.
func (u *Updated) JSON() ([]byte, error) {
	b := append(make([]byte, 0, 40), `{"updatedAt":`...)
	return append(appendString(b, u.UpdatedAt), '}'), nil
}

// MarshalJSON is JSON.
func (u *Updated) MarshalJSON() ([]byte, error) { return u.JSON() }

// Done is the {"msg":"ok"} answer of deletes and user actions.
type Done struct{}

// JSON is the route's answer text.
func (Done) JSON() ([]byte, error) { return []byte(`{"msg":"ok"}`), nil }

// MarshalJSON is JSON.
func (d Done) MarshalJSON() ([]byte, error) { return d.JSON() }

// appendString appends s as a JSON string the way encode writes it: text
// without quotes, backslashes, control characters or non-ASCII is copied
// as is, anything else goes through encode.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, err := encode(s)
			if err != nil { // a string always encodes
				panic(err)
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
