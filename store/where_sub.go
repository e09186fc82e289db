package store

import (
	"math"
)

// Sub-query and geo operators of where.

func subQuery(arg any, key string) (class string, where map[string]any, err error) {
	m, ok := arg.(map[string]any)
	if !ok {
		return "", nil, Errorf(102, "Invalid value for key '%s'.", key)
	}
	class, _ = m["className"].(string)
	if class == "" {
		return "", nil, Errorf(102, "Invalid value for key '%s'.", key)
	}
	if w, present := m["where"]; present && w != nil {
		if where, ok = w.(map[string]any); !ok {
			return "", nil, Errorf(102, "Invalid value for key '%s'.", key)
		}
	}
	return class, where, nil
}

// opSelect: the field equals the value of `key` in some row of the sub-query
// ({"query":{"className","where"},"key"}); $dontSelect negates.
func opSelect(negate bool) fieldOp {
	name := "$select"
	if negate {
		name = "$dontSelect"
	}
	return func(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
		m, ok := arg.(map[string]any)
		if !ok {
			return nil, Errorf(102, "Invalid value for key '%s'.", name)
		}
		key, _ := m["key"].(string)
		class, where, err := subQuery(m["query"], name)
		if err != nil || key == "" {
			return nil, Errorf(102, "Invalid value for key '%s'.", name)
		}
		rows, err := c.s.scan(c.ctx, class, where)
		if err != nil {
			return nil, err
		}
		var values []any
		for _, r := range rows {
			if v, ok := r.get(key); ok {
				values = append(values, v)
			}
		}
		return func(got any, present bool) bool { return anyMatch(got, values) != negate }, nil
	}
}

// opInQuery: the field is a Pointer (or array of Pointers) to a row of the
// sub-query ({"className","where"}); $notInQuery negates.
func opInQuery(negate bool) fieldOp {
	name := "$inQuery"
	if negate {
		name = "$notInQuery"
	}
	return func(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
		class, where, err := subQuery(arg, name)
		if err != nil {
			return nil, err
		}
		rows, err := c.s.scan(c.ctx, class, where)
		if err != nil {
			return nil, err
		}
		ids := make(map[string]bool, len(rows))
		for _, r := range rows {
			ids[r.id] = true
		}
		hit := func(v any) bool {
			m, ok := v.(map[string]any)
			if !ok || m["className"] != class {
				return false
			}
			id, _ := m["objectId"].(string)
			return ids[id]
		}
		return func(got any, present bool) bool {
			found := hit(got)
			if arr, ok := got.([]any); ok {
				for _, e := range arr {
					found = found || hit(e)
				}
			}
			return found != negate
		}, nil
	}
}

// relatedTo matches the members of a relation field of one object:
// {"object":{Pointer},"key":"field"}.
func (c *compiler) relatedTo(arg any) (matcher, error) {
	m, ok := arg.(map[string]any)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$relatedTo")
	}
	obj, _ := m["object"].(map[string]any)
	key, _ := m["key"].(string)
	class, _ := obj["className"].(string)
	id, _ := obj["objectId"].(string)
	if class == "" || id == "" || key == "" {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$relatedTo")
	}
	members := map[string]bool{}
	if r, err := c.s.record(c.ctx, class, id); err == nil {
		if rel, ok := r.fields[key].(map[string]any); ok && rel["__type"] == "Relation" {
			ids, _ := rel["objectIds"].([]any)
			for _, e := range ids {
				if s, ok := e.(string); ok {
					members[s] = true
				}
			}
		}
	}
	return func(r row) bool {
		v, _ := r.get("objectId")
		s, _ := v.(string)
		return members[s]
	}, nil
}

// Earth's mean radius, for $nearSphere distances.
const (
	earthKm    = 6371.0
	earthMiles = 3958.8
)

// nearSort orders results by distance from point when the query has no order.
type nearSort struct {
	field    string
	lat, lng float64
}

func geoOf(v any) (lat, lng float64, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || m["__type"] != "GeoPoint" {
		return 0, 0, false
	}
	lat, ok1 := toFloat(m["latitude"])
	lng, ok2 := toFloat(m["longitude"])
	return lat, lng, ok1 && ok2
}

// radians between two points (haversine).
func radians(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// opNearSphere keeps points within $maxDistanceIn… of a GeoPoint (100 km by
// default, as Bmob documents) and sorts nearest first.
func opNearSphere(c *compiler, field string, arg any, ops map[string]any) (pred, error) {
	lat, lng, ok := geoOf(arg)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$nearSphere")
	}
	maxRad := 100 / earthKm
	for key, scale := range map[string]float64{"$maxDistance": 1, "$maxDistanceInRadians": 1,
		"$maxDistanceInKilometers": 1 / earthKm, "$maxDistanceInMiles": 1 / earthMiles} {
		if v, present := ops[key]; present {
			d, ok := toFloat(v)
			if !ok {
				return nil, Errorf(102, "Invalid value for key '%s'.", key)
			}
			maxRad = d * scale
		}
	}
	c.near = &nearSort{field: field, lat: lat, lng: lng}
	return func(got any, present bool) bool {
		la, lo, ok := geoOf(got)
		return ok && radians(lat, lng, la, lo) <= maxRad
	}, nil
}

// opWithin keeps points inside {"$box":[southwest, northeast]}.
func opWithin(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	m, _ := arg.(map[string]any)
	box, _ := m["$box"].([]any)
	if len(box) != 2 {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$within")
	}
	swLat, swLng, ok1 := geoOf(box[0])
	neLat, neLng, ok2 := geoOf(box[1])
	if !ok1 || !ok2 {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$within")
	}
	return func(got any, present bool) bool {
		la, lo, ok := geoOf(got)
		return ok && la >= swLat && la <= neLat && lo >= swLng && lo <= neLng
	}, nil
}
