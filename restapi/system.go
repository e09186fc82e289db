package restapi

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// systemRoutes: roles, installations, push, server time and schemas.
func (a *API) systemRoutes() []route {
	h := a.handlerOf
	type fn = func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error)
	// objects mounts the object routes of a system class at prefix.
	objects := func(prefix, class string, create, update fn) []route {
		return []route{
			{http.MethodPost, prefix, h(create)},
			{http.MethodGet, prefix, h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
				return ok(a.findObjects(ctx, c, class, req.Query))
			})},
			{http.MethodGet, prefix + "/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
				return ok(a.getObject(ctx, c, class, p["id"], req.Query))
			})},
			{http.MethodPut, prefix + "/:id", h(update)},
			{http.MethodDelete, prefix + "/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
				return ok(a.deleteObject(ctx, c, class, p["id"]))
			})},
		}
	}
	var routes []route
	routes = append(routes, objects("/1/roles", "_Role",
		func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return a.createRole(ctx, c, req)
		},
		func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.updateRole(ctx, c, p["id"], requestBody(req)))
		})...)
	routes = append(routes, objects("/1/installations", "_Installation",
		func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return a.createObject(ctx, "_Installation", req, "/1/installations/")
		},
		func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.updateObject(ctx, c, "_Installation", p["id"], req))
		})...)
	return append(routes,
		route{http.MethodPost, "/1/push", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.push(ctx, req))
		})},
		route{http.MethodGet, "/1/timestamp", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			now := a.store.Now()
			return ok(map[string]any{"timestamp": now.Unix(), "datetime": bjtime.Format(now)}, nil)
		})},
		route{http.MethodGet, "/1/schemas", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.schemas(ctx, c, ""))
		})},
		route{http.MethodGet, "/1/schemas/:class", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.schemas(ctx, c, p["class"]))
		})},
	)
}

// roleName is what Bmob allows in a role name.
var roleName = regexp.MustCompile(`^[A-Za-z0-9_ -]+$`)

func badRoleName() error {
	return store.Errorf(139, "Role names must be restricted to alphanumeric characters, dashes(-), underscores(_), and spaces.")
}

// createRole needs a valid name; the store keeps names unique (139).
func (a *API) createRole(ctx context.Context, c *caller, req Request) (answer, error) {
	data, err := jsonBody(req)
	if err != nil {
		return answer{}, err
	}
	return a.createRoleData(ctx, data)
}

func (a *API) createRoleData(ctx context.Context, data map[string]any) (answer, error) {
	if name, _ := data["name"].(string); !roleName.MatchString(name) {
		return answer{}, badRoleName()
	}
	return a.insert(ctx, "_Role", data, "/1/roles/")
}

// updateRole refuses to rename a role (the name is set once).
func (a *API) updateRole(ctx context.Context, c *caller, id string, body Body) (*Updated, error) {
	data, err := body.fields()
	if err != nil {
		return nil, err
	}
	if name, present := data["name"]; present {
		cur, err := a.store.Get(ctx, "_Role", id, store.GetOptions{Keys: []string{"name"}})
		if err != nil {
			return nil, err
		}
		if cur["name"] != name {
			return nil, store.Errorf(136, "%s cannot be changed by this operation", "name")
		}
	}
	return a.update(ctx, c, "_Role", id, data)
}

// push records a push request in _Push (master key only to read back); it is
// never delivered.
func (a *API) push(ctx context.Context, req Request) (any, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	if _, ok := data["data"].(map[string]any); !ok {
		return nil, store.Errorf(141, "Missing the push data.")
	}
	for _, k := range []string{"push_time", "expiration_time"} {
		if v, present := data[k]; present {
			s, _ := v.(string)
			if _, err := time.ParseInLocation(store.TimeLayout, s, bjtime.Location); err != nil {
				return nil, store.Errorf(142, "%s shoule be like: 2013-12-04 00:51:13", k)
			}
		}
	}
	if v, present := data["expiration_interval"]; present {
		if _, isNum := v.(float64); !isNum {
			return nil, store.Errorf(143, "%s must be a number", "expiration_interval")
		}
	}
	data["ACL"] = map[string]any{}
	if _, err := a.store.Create(ctx, "_Push", data); err != nil {
		return nil, err
	}
	return msgOK(), nil
}

// schemaOf is one class as /1/schemas shows it: {className, fields:{name:{type}}}.
func schemaOf(class string, types map[string]string) map[string]any {
	fields := map[string]any{
		"objectId":  map[string]any{"type": "String"},
		"createdAt": map[string]any{"type": "Date"},
		"updatedAt": map[string]any{"type": "Date"},
	}
	for name, t := range types {
		fields[name] = map[string]any{"type": t}
	}
	return map[string]any{"className": class, "fields": fields}
}

// schemas answers /1/schemas (all classes) or /1/schemas/<class>; master key only.
func (a *API) schemas(ctx context.Context, c *caller, class string) (any, error) {
	if !c.master {
		return nil, unauthorized{}
	}
	all, err := a.store.Schemas(ctx)
	if err != nil {
		return nil, err
	}
	if class != "" {
		types, found := all[class]
		if !found {
			return nil, store.Errorf(101, "object not found for %s.", class)
		}
		return schemaOf(class, types), nil
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	results := make([]any, 0, len(names))
	for _, n := range names {
		results = append(results, schemaOf(n, all[n]))
	}
	return map[string]any{"results": results}, nil
}
