// Node's string_decoder: decodes Buffers chunk by chunk without splitting a
// multi-byte character (utf8, utf16le) or a base64 quantum across chunks.
(function (Buffer) {
  'use strict';
  function normalize(enc) {
    var e = String(enc === undefined || enc === null ? 'utf8' : enc).toLowerCase();
    switch (e) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      case 'latin1': case 'binary': return 'latin1';
      case 'base64': case 'ascii': case 'hex': case 'base64url': return e;
    }
    var err = new TypeError('Unknown encoding: ' + enc);
    err.code = 'ERR_UNKNOWN_ENCODING';
    throw err;
  }
  // How many bytes at the end of buf start an incomplete UTF-8 character.
  function utf8Tail(buf) {
    for (var back = 1; back <= 3 && back <= buf.length; back++) {
      var c = buf[buf.length - back];
      if ((c & 0xc0) === 0x80) continue; // continuation byte
      var need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return need > back ? back : 0;
    }
    return 0;
  }
  function StringDecoder(encoding) {
    this.encoding = normalize(encoding);
    this._rest = Buffer.alloc(0);
  }
  StringDecoder.prototype.write = function (buf) {
    if (typeof buf === 'string') return buf;
    if (!(buf instanceof Uint8Array)) {
      var e = new TypeError('The "buf" argument must be an instance of Buffer, TypedArray, or DataView. Received ' + (buf === null ? 'null' : typeof buf));
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    var all = Buffer.concat([this._rest, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)]);
    var keep = 0;
    switch (this.encoding) {
      case 'utf8': keep = utf8Tail(all); break;
      case 'utf16le':
        keep = all.length % 2;
        if (keep === 0 && all.length >= 2) {
          var hi = all[all.length - 1];
          if (hi >= 0xd8 && hi <= 0xdb) keep = 2;
        }
        break;
      case 'base64': case 'base64url': keep = all.length % 3; break;
    }
    this._rest = Buffer.from(all.slice(all.length - keep));
    return all.slice(0, all.length - keep).toString(this.encoding);
  };
  StringDecoder.prototype.end = function (buf) {
    var out = buf === undefined ? '' : this.write(buf);
    if (this._rest.length) {
      out += this._rest.toString(this.encoding);
      this._rest = Buffer.alloc(0);
    }
    return out;
  };
  StringDecoder.prototype.text = function (buf, offset) { return this.write(buf.slice(offset)); };
  Object.defineProperty(StringDecoder.prototype, 'lastNeed', { get: function () { return this._rest.length ? 1 : 0; } });
  return { StringDecoder: StringDecoder };
})
