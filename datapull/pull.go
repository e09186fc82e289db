package datapull

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PageSize is how many objects one GET asks for: Bmob's maximum limit.
const PageSize = 1000

// PullOptions say where to pull from.
type PullOptions struct {
	// URL is the REST API's base, e.g. https://api.bmobcloud.com or a bmobemu.
	URL string
	// AppID and RESTKey are X-Bmob-Application-Id and X-Bmob-REST-API-Key.
	AppID, RESTKey string
	// MasterKey, when set, is sent too (reads rows ACLs hide; /1/schemas needs it).
	MasterKey string
	// Classes to pull; empty asks GET /1/schemas for every class.
	Classes []string
	// Client makes the requests (nil: http.DefaultClient).
	Client *http.Client
	// Progress, when set, is told each page fetched.
	Progress func(class string, fetched int)
}

// Pull fetches every object of the classes with paged
// GET /1/classes/<T>?limit=1000&skip=…, ordered by createdAt and objectId so
// the pages are stable.
func Pull(ctx context.Context, o PullOptions) (Classes, error) {
	if o.URL == "" || o.AppID == "" || (o.RESTKey == "" && o.MasterKey == "") {
		return nil, fmt.Errorf("pull: --url, --app-id and --rest-key (or --master-key) are required")
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	classes := o.Classes
	if len(classes) == 0 {
		var err error
		if classes, err = listClasses(ctx, o); err != nil {
			return nil, err
		}
	}
	out := Classes{}
	for _, class := range classes {
		out[class] = []map[string]any{}
		for skip := 0; ; skip += PageSize {
			q := url.Values{"limit": {strconv.Itoa(PageSize)}, "skip": {strconv.Itoa(skip)}, "order": {"createdAt,objectId"}}
			var page struct {
				Results []map[string]any `json:"results"`
			}
			if err := get(ctx, o, "/1/classes/"+url.PathEscape(class)+"?"+q.Encode(), &page); err != nil {
				return nil, fmt.Errorf("pull %s (skip %d): %w", class, skip, err)
			}
			out.Add(class, page.Results)
			if o.Progress != nil {
				o.Progress(class, len(out[class]))
			}
			if len(page.Results) < PageSize {
				break
			}
		}
	}
	return out, nil
}

// listClasses asks /1/schemas for the app's classes.
func listClasses(ctx context.Context, o PullOptions) ([]string, error) {
	var doc struct {
		Results []struct {
			ClassName string `json:"className"`
		} `json:"results"`
	}
	if err := get(ctx, o, "/1/schemas", &doc); err != nil {
		return nil, fmt.Errorf("pull: listing classes with /1/schemas (needs --master-key; or pass --classes A,B): %w", err)
	}
	var names []string
	for _, r := range doc.Results {
		if r.ClassName != "" {
			names = append(names, r.ClassName)
		}
	}
	return names, nil
}

// get GETs path from the server with the app's keys and decodes the JSON answer.
func get(ctx context.Context, o PullOptions, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(o.URL, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Bmob-Application-Id", o.AppID)
	if o.RESTKey != "" {
		req.Header.Set("X-Bmob-REST-API-Key", o.RESTKey)
	}
	if o.MasterKey != "" {
		req.Header.Set("X-Bmob-Master-Key", o.MasterKey)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d: %s", req.URL.Path, resp.StatusCode, clipText(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s answered JSON that is not a result page: %w", req.URL.Path, err)
	}
	return nil
}

func clipText(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
