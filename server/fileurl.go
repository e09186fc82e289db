package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/restapi"
)

// fileURL serves GET /YYYY/MM/DD/<name>: an uploaded file at the URL shape
// Bmob's CDN hands out (restapi's fileURL). Like a CDN URL it needs no keys.
// Any other four-segment path is a 404.
func (h *handler) fileURL(c *fiber.Ctx) error {
	year, month, day := c.Params("year"), c.Params("month"), c.Params("day")
	if h.opts.API == nil || !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
		return c.Status(fiber.StatusNotFound).SendString(fmt.Sprintf("Cannot %s %s", c.Method(), c.Path()))
	}
	path := "/2/files/" + restapi.FileCDN + "/" + strings.Join([]string{year, month, day, c.Params("file")}, "/")
	resp := h.opts.API.Serve(context.Background(), restapi.Request{Method: http.MethodGet, Path: path, Header: http.Header{}})
	writeREST(c.Response(), resp)
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
