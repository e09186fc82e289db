package server

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// fileURL serves GET /YYYY/MM/DD/<name>, an uploaded file at Bmob's CDN URL
// shape (restapi.API.ServeFileURL). Any other four-segment path is a 404.
func (h *handler) fileURL(c *fiber.Ctx) error {
	if h.opts.API != nil {
		if resp, ok := h.opts.API.ServeFileURL(context.Background(), c.Path()); ok {
			writeREST(c.Response(), resp)
			return nil
		}
	}
	return c.Status(fiber.StatusNotFound).SendString(fmt.Sprintf("Cannot %s %s", c.Method(), c.Path()))
}
