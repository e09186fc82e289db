// Package nodecore provides the Node core modules Bmob scripts reach for and goja_nodejs
// lacks or only half provides: querystring, url (legacy API plus WHATWG URL), util and
// events. Each constructor builds a fresh module value for one VM; the parts written in
// JavaScript are factories run with modules.CallFactory, so that one compiled program
// serves every VM.
package nodecore
