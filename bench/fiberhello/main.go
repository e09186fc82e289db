// Command fiberhello is the yardstick of the load benchmark: a bare fiber app that
// answers {"code":200}, the same bytes as bench/functions/hello.js.
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "address to listen on")
	flag.Parse()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.All("/*", func(c *fiber.Ctx) error {
		c.Set("Content-Type", "application/json; charset=utf-8")
		return c.SendString(`{"code":200}`)
	})
	log.Fatal(app.Listen(*addr))
}
