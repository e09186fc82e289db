// A harmless subset of Node's os module: fixed answers that describe a Linux
// container like Bmob's without revealing anything of the machine bmobemu runs on.
(function () {
  'use strict';
  var os = {
    EOL: '\n',
    devNull: '/dev/null',
    platform: function () { return 'linux'; },
    type: function () { return 'Linux'; },
    arch: function () { return 'x64'; },
    release: function () { return '5.10.0'; },
    version: function () { return '#1 SMP'; },
    endianness: function () { return 'LE'; },
    hostname: function () { return 'bmobemu'; },
    homedir: function () { return '/root'; },
    tmpdir: function () { return '/tmp'; },
    uptime: function () { return Math.floor(process.uptime()); },
    loadavg: function () { return [0, 0, 0]; },
    totalmem: function () { return 1073741824; },
    freemem: function () { return 536870912; },
    cpus: function () { return [{ model: 'bmobemu virtual CPU', speed: 2000, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }]; },
    networkInterfaces: function () { return {}; },
    userInfo: function () { return { uid: 0, gid: 0, username: 'root', homedir: '/root', shell: '/bin/sh' }; },
    constants: { signals: {}, errno: {} },
  };
  ['getPriority', 'setPriority'].forEach(function (name) {
    os[name] = function () { throw new Error('os.' + name + ' is not available in bmobemu'); };
  });
  return os;
})
