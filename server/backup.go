package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/restapi"
)

// BackupPath is where a running server hands out a consistent copy of its db:
// GET with X-Bmob-Master-Key; ?format=export gives the JSON of `data export`
// instead of the bbolt file.
const BackupPath = "/_bmobemu/backup"

// BackupFunc writes a consistent copy of the db to w: the bbolt file, or the
// JSON export when export is set.
type BackupFunc func(ctx context.Context, w io.Writer, export bool) error

// backup serves BackupPath. The copy comes from one read transaction, so
// writers carry on meanwhile.
func (h *handler) backup(c *fiber.Ctx) error {
	if h.opts.Backup == nil {
		return c.Status(http.StatusNotFound).SendString("this server has no backup")
	}
	if h.opts.API == nil || !h.opts.API.IsMasterKey(c.Get(restapi.HeaderMasterKey)) {
		h.opts.Log("warn", "401 GET "+BackupPath+": a backup needs X-Bmob-Master-Key")
		return c.Status(http.StatusUnauthorized).SendString("a backup needs the master key in X-Bmob-Master-Key")
	}
	export := c.Query("format") == "export"
	switch c.Query("format") {
	case "", "bbolt":
		c.Set(fiber.HeaderContentType, "application/octet-stream")
	case "export":
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	default:
		return c.Status(http.StatusBadRequest).SendString(fmt.Sprintf("format must be bbolt or export, not %q", c.Query("format")))
	}
	// Spooled to an unlinked temporary file first, so the answer carries its
	// Content-Length and a copy cut short is an error for the client.
	f, err := os.CreateTemp("", "bmobemu-backup-*")
	if err != nil {
		return c.Status(http.StatusInternalServerError).SendString(fmt.Sprintf("backup: %v", err))
	}
	_ = os.Remove(f.Name()) // the open file stays readable
	if err := h.opts.Backup(c.UserContext(), f, export); err != nil {
		_ = f.Close()
		h.opts.Log("error", fmt.Sprintf("backup: %v", err))
		return c.Status(http.StatusInternalServerError).SendString(fmt.Sprintf("backup: %v", err))
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return c.Status(http.StatusInternalServerError).SendString(fmt.Sprintf("backup: %v", err))
	}
	return c.SendStream(f, int(size)) // fasthttp closes f once sent
}
