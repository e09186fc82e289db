// Drives the real Bmob JS SDK against a bmobemu whose data hook is the one
// named in HOOK (one of the docs' four hooks of examples/datahooks, or the
// broken undefinedVar). Env as run.js. Prints one JSON line per step and exits
// 1 if any step failed.
'use strict';

const log = console.log;
console.log = () => {};
const Bmob = require('hydrogen-js-sdk');

Bmob.domain(process.env.BMOB_URL);
Bmob.initialize(process.env.BMOB_SECRET_KEY, process.env.BMOB_SECURITY_CODE);

let failed = false;
async function step(name, fn) {
  try {
    const value = await fn();
    log(JSON.stringify({ step: name, ok: true, value }));
  } catch (err) {
    failed = true;
    const error = err && (err.error || err.message) ? { code: err.code, error: err.error || err.message } : err;
    log(JSON.stringify({ step: name, ok: false, error }));
  }
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

// refused runs fn and expects the SDK to reject with Bmob's error 324.
async function refused(fn, message) {
  try {
    await fn();
  } catch (err) {
    check(err.code === 324, 'code 324, got ' + JSON.stringify(err));
    check(message instanceof RegExp ? message.test(err.error) : err.error === message, 'error ' + JSON.stringify(err.error));
    return err;
  }
  throw new Error('the request was not refused');
}

function save(table, fields) {
  const q = Bmob.Query(table);
  for (const k of Object.keys(fields)) q.set(k, fields[k]);
  return q.save();
}

const hooks = {
  async denyOrder() {
    await step('denyOrder refuses saving an Order', () => refused(() => save('Order', { item: 'pen' }), 'Order表禁止操作'));
    await step('denyOrder refuses querying Order', () => refused(() => Bmob.Query('Order').find(), 'Order表禁止操作'));
    await step('denyOrder lets Item through', async () => {
      const res = await save('HookItem', { name: 'pen' });
      check(res.objectId, 'saved');
      return res.objectId;
    });
  },
  async writersByIP() {
    await step('writersByIP lets the SDK query', async () => (await Bmob.Query('HookItem').find()).length);
    await step('writersByIP refuses a save from 127.0.0.1', () => refused(() => save('HookItem', { name: 'cup' }), '禁止操作'));
  },
  async refuseIOS() {
    await step('refuseIOS lets the JS SDK (caller empty) save', async () => (await save('HookItem', { name: 'mug' })).objectId);
  },
  async sexToNumber() {
    await step('sexToNumber rewrites the field on save and on update', async () => {
      const res = await save('HookPerson', { name: 'li', sexText: '男' });
      const row = await Bmob.Query('HookPerson').get(res.objectId);
      check(row.sex === 1, 'sex 1 after save: ' + JSON.stringify(row));
      row.set('sexText', '女');
      await row.save();
      const again = await Bmob.Query('HookPerson').get(res.objectId);
      check(again.sex === 0, 'sex 0 after update: ' + JSON.stringify(again));
      return [row.sex, again.sex];
    });
  },
  async undefinedVar() {
    await step('a hook reading an undefined variable fails closed naming the line', () =>
      refused(() => save('HookPerson', { sexText: '男' }), /ReferenceError: sexData is not defined .*undefinedVar\.js:5/));
  },
};

(async () => {
  const run = hooks[process.env.HOOK];
  if (!run) {
    log(JSON.stringify({ step: 'HOOK', ok: false, error: 'unknown HOOK ' + process.env.HOOK }));
    process.exit(1);
  }
  await run();
  process.exit(failed ? 1 : 0);
})().catch((err) => {
  log(JSON.stringify({ step: 'main', ok: false, error: String(err && err.stack || err) }));
  process.exit(1);
});
