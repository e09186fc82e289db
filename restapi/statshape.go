package restapi

import "strings"

// Statistics answers depend on the caller (see the README's fidelity table).
// Bmob's REST reference shows a statistics query (groupby, sum, …) answering a
// bare array, and bmobemu answers REST-key callers and oData that way. Bmob's
// SDKs read the rows from "results" instead: hydrogen-js-sdk's find() does
// `res.results` (and its docs show find() resolving to the rows), Bmob's
// Flutter SDK parses the answer as {"results":[…]}. So a request from an SDK
// gets the rows under "results": one that names itself in X-Bmob-SDK-Type
// (hydrogen-js-sdk sends "nodejs" or "wechatApp" with every signed request,
// the Flutter SDK its type when it signs), or that comes from Dart's HTTP
// client (the Flutter SDK with the REST key sends no SDK header; dio's
// User-Agent is "Dart/<version> (dart:io)").
// Found.JSON applies it (results.go).
type client struct{ sdk bool }

// clientOf tells an SDK's request from a plain REST one.
func clientOf(req Request) client {
	return client{sdk: header(req.Header, "X-Bmob-SDK-Type") != "" || strings.HasPrefix(header(req.Header, "User-Agent"), "Dart/")}
}
