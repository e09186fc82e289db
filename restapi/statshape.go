package restapi

// Statistics answers depend on the caller (see the README's fidelity table).
// Bmob's REST reference shows a statistics query (groupby, sum, …) answering a
// bare array, and bmobemu answers REST-key callers and oData that way. Bmob's
// SDKs read the rows from "results" instead: hydrogen-js-sdk's find() does
// `res.results` (and its docs show find() resolving to the rows), Bmob's
// Flutter SDK parses the answer as {"results":[…]}. So a request from an SDK,
// which names itself in X-Bmob-SDK-Type (hydrogen-js-sdk sends "nodejs" or
// "wechatApp" with every signed request), gets the rows under "results".
type client struct{ sdk bool }

// clientOf tells an SDK's request from a plain REST one.
func clientOf(req Request) client { return client{sdk: header(req.Header, "X-Bmob-SDK-Type") != ""} }

// statistics wraps a statistics answer (a bare array) as {"results":[…]} for
// an SDK; other answers pass unchanged.
func (cl client) statistics(v any, err error) (any, error) {
	if err != nil || !cl.sdk {
		return v, err
	}
	if rows, isGroups := v.([]map[string]any); isGroups {
		return map[string]any{"results": rows}, nil
	}
	return v, nil
}
