// Drives the real Bmob JS SDK (hydrogen-js-sdk in Node mode) against bmobemu.
// Env: BMOB_URL (e.g. http://127.0.0.1:8080), BMOB_SECRET_KEY, BMOB_SECURITY_CODE,
// BMOB_SKIP_USERS=1 to leave out signup and login. Prints one JSON line per step
// ({"step","ok","value"|"error"}) and exits 1 if any step failed.
'use strict';

const log = console.log;
console.log = () => {}; // the SDK logs its app type on load
const Bmob = require('hydrogen-js-sdk');

Bmob.domain(process.env.BMOB_URL);
Bmob.initialize(process.env.BMOB_SECRET_KEY, process.env.BMOB_SECURITY_CODE);

let failed = false;
async function step(name, fn) {
  try {
    const value = await fn();
    log(JSON.stringify({ step: name, ok: true, value }));
    return value;
  } catch (err) {
    failed = true;
    const error = err && (err.error || err.message) ? { code: err.code, error: err.error || err.message } : err;
    log(JSON.stringify({ step: name, ok: false, error }));
    return undefined;
  }
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function main() {
  const pen = await step('save', async () => {
    const q = Bmob.Query('InteropItem');
    q.set('name', 'pen');
    q.set('price', 3);
    q.set('tags', ['a', 'b']);
    const res = await q.save();
    check(/^[0-9a-f]{10}$/.test(res.objectId) && res.createdAt, 'objectId and createdAt');
    return res;
  });
  await step('save another', async () => {
    const q = Bmob.Query('InteropItem');
    q.set('name', 'cup');
    q.set('price', 8);
    return q.save();
  });
  await step('query with conditions', async () => {
    const q = Bmob.Query('InteropItem');
    q.equalTo('price', '>', 2);
    q.equalTo('name', '==', 'pen');
    q.order('-price');
    const res = await q.find();
    check(Array.isArray(res) && res.length === 1 && res[0].name === 'pen', 'one pen: ' + JSON.stringify(res));
    return res.map((o) => o.name);
  });
  await step('count', async () => {
    const q = Bmob.Query('InteropItem');
    const n = await q.count();
    check(n === 2, 'two rows, got ' + n);
    return n;
  });
  await step('update', async () => {
    const q = Bmob.Query('InteropItem');
    const obj = await q.get(pen.objectId);
    obj.set('price', 5);
    obj.increment('sold', 2);
    const res = await obj.save();
    check(res.updatedAt, 'updatedAt');
    const again = await Bmob.Query('InteropItem').get(pen.objectId);
    check(again.price === 5 && again.sold === 2, 'updated fields: ' + JSON.stringify(again));
    return again.price;
  });
  await step('delete', async () => {
    const q = Bmob.Query('InteropItem');
    const res = await q.destroy(pen.objectId);
    check(res.msg === 'ok', 'msg ok');
    const left = await Bmob.Query('InteropItem').find();
    check(left.length === 1 && left[0].name === 'cup', 'only the cup is left');
    return res;
  });
  if (process.env.BMOB_SKIP_USERS !== '1') {
    const name = 'ada' + Date.now();
    await step('sign up', async () => {
      const res = await Bmob.User.register({ username: name, password: 's3cret!', email: name + '@example.com' });
      check(res.objectId && res.sessionToken, 'objectId and sessionToken');
      return { objectId: res.objectId };
    });
    await step('log in', async () => {
      const res = await Bmob.User.login(name, 's3cret!');
      check(res.username === name && res.sessionToken && res.password === undefined, 'user without password');
      return res.username;
    });
    await step('log in with a wrong password', async () => {
      try {
        await Bmob.User.login(name, 'wrong');
      } catch (err) {
        check(err.code === 101, 'code 101, got ' + JSON.stringify(err));
        return err.code;
      }
      throw new Error('a wrong password logged in');
    });
  }
  await step('statistics', async () => {
    const q = Bmob.Query('InteropItem');
    q.statTo('sum', 'price');
    const res = await q.find();
    check(Array.isArray(res) && res.length === 1 && res[0]._sumPrice === 8, 'one row with _sumPrice 8: ' + JSON.stringify(res));
    const g = Bmob.Query('InteropItem');
    g.statTo('groupby', 'name');
    g.statTo('groupcount', 'true');
    const groups = await g.find();
    check(groups.length === 1 && groups[0].name === 'cup' && groups[0]._count === 1, 'grouped: ' + JSON.stringify(groups));
    return res;
  });
  const uploaded = await step('file upload', async () => {
    const file = Bmob.File('hello.txt', 'Hello');
    const res = await file.save();
    check(Array.isArray(res) && res.length === 1 && res[0].filename === 'hello.txt' && res[0].cdn === 'upyun', 'one file: ' + JSON.stringify(res));
    const url = res[0].url;
    check(/^http:\/\/127\.0\.0\.1:\d+\/\d{4}\/\d\d\/\d\d\/[0-9a-f]{32}\.txt$/.test(url), 'a Bmob-shaped URL: ' + url);
    const body = await fetch(url).then((r) => r.text());
    check(body === 'Hello', 'the URL serves the bytes: ' + body);
    return url;
  });
  await step('file destroy', async () => {
    const res = await Bmob.File().destroy(uploaded);
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    const status = await fetch(uploaded).then((r) => r.status);
    check(status === 404, 'gone after destroy, got ' + status);
    return res;
  });
  await step('file destroy many', async () => {
    const urls = [];
    for (const name of ['a.txt', 'b.txt']) {
      const res = await Bmob.File(name, 'content of ' + name).save();
      urls.push(res[0].url);
    }
    const res = await Bmob.File().destroy(urls);
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    for (const url of urls) {
      const status = await fetch(url).then((r) => r.status);
      check(status === 404, url + ' gone after destroy, got ' + status);
    }
    return res;
  });
  await step('cloud function', async () => {
    const res = await Bmob.functions('interopHello', { name: 'ada', n: 2, flags: { a: true } });
    check(res.hello === 'ada' && res.n === '2' && res.nType === 'string' && res.flags === '{"a":true}' && res.e === 'interopHello',
      'result: ' + JSON.stringify(res));
    return res;
  });
  await step('require async', async () => {
    const res = await Bmob.functions('interopAsync', {});
    check(JSON.stringify(res.series) === '[1,2]' && res.waterfall === 6 && res.parallel.x === 'x' && res.parallel.y === 'y' &&
      JSON.stringify(res.order) === '["a","b"]' && res.oAsync === true, 'result: ' + JSON.stringify(res));
    return res;
  });
  if (process.env.BMOB_MASTER_KEY) {
    await sdkEmulatedServices();
  }
  process.exit(failed ? 1 : 0);
}

// lastSmsCode reads the code bmobemu "sent" (kept in _SmsCode, master key only).
async function lastSmsCode(phone) {
  const where = encodeURIComponent(JSON.stringify({ mobilePhoneNumber: phone, used: false }));
  const res = await fetch(process.env.BMOB_URL + '/1/classes/_SmsCode?order=-createdAt&limit=1&where=' + where, {
    headers: { 'X-Bmob-Application-Id': process.env.BMOB_APP_ID, 'X-Bmob-Master-Key': process.env.BMOB_MASTER_KEY },
  }).then((r) => r.json());
  check(res.results && res.results.length === 1, 'a code for ' + phone + ': ' + JSON.stringify(res));
  return res.results[0].smsCode;
}

// The services bmobemu emulates offline (SMS, mobile and third-party login,
// the WeChat mini-program helpers, refunds), called through the SDK's own API.
async function sdkEmulatedServices() {
  const phone = '138' + String(Date.now()).slice(-8);
  await step('requestSmsCode', async () => {
    const res = await Bmob.requestSmsCode({ mobilePhoneNumber: phone });
    check(typeof res.smsId === 'number', 'smsId: ' + JSON.stringify(res));
    return res;
  });
  await step('verifySmsCode', async () => {
    const code = await lastSmsCode(phone);
    try {
      await Bmob.verifySmsCode('000000' === code ? '111111' : '000000', { mobilePhoneNumber: phone });
      throw new Error('a wrong code verified');
    } catch (err) {
      check(err.code === 207, 'wrong code: ' + JSON.stringify(err));
    }
    const res = await Bmob.verifySmsCode(code, { mobilePhoneNumber: phone });
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    return res;
  });
  let mobileUser;
  await step('signOrLoginByMobilePhone', async () => {
    await Bmob.requestSmsCode({ mobilePhoneNumber: phone });
    const first = await Bmob.User.signOrLoginByMobilePhone(phone, await lastSmsCode(phone));
    check(first.username === phone && first.mobilePhoneVerified === true && first.sessionToken, 'new user: ' + JSON.stringify(first));
    await Bmob.requestSmsCode({ mobilePhoneNumber: phone });
    const again = await Bmob.User.signOrLoginByMobilePhone(phone, await lastSmsCode(phone));
    check(again.objectId === first.objectId, 'the same user logs in again: ' + JSON.stringify(again));
    mobileUser = first;
    return first.objectId;
  });
  await step('resetPasswordBySmsCode', async () => {
    await Bmob.requestSmsCode({ mobilePhoneNumber: phone });
    const res = await Bmob.resetPasswordBySmsCode(await lastSmsCode(phone), { password: 'n3w-pass' });
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    const user = await Bmob.User.login(phone, 'n3w-pass');
    check(user.objectId === mobileUser.objectId, 'logs in with the new password');
    return res;
  });
  await step('linkWith', async () => {
    const authData = { weixin: { openid: 'o' + Date.now(), access_token: 'token', expires_in: 7200 } };
    const first = await Bmob.User.linkWith(authData);
    const again = await Bmob.User.linkWith(authData);
    check(first.sessionToken && again.objectId === first.objectId && again.authData.weixin.openid === authData.weixin.openid,
      'the same WeChat user twice: ' + JSON.stringify([first, again]));
    try {
      await Bmob.User.linkWith({ weixin: { openid: 'o1' } });
      throw new Error('incomplete authData logged in');
    } catch (err) {
      check(err.code === 208, 'incomplete authData: ' + JSON.stringify(err));
    }
    return first.objectId;
  });
  await step('weapp login', async () => {
    // loginWithWeapp without wx.login: the code's openid, then linkWith({weapp}) as the SDK does.
    const session = await Bmob.User.requestOpenId('wx-code-' + phone);
    check(session.openid && session.session_key, 'a session: ' + JSON.stringify(session));
    const first = await Bmob.User.linkWith({ weapp: session });
    const again = await Bmob.User.linkWith({ weapp: await Bmob.User.requestOpenId('wx-code-' + phone) });
    check(first.objectId && again.objectId === first.objectId && again.authData.weapp.openid === session.openid,
      'the same WeChat user twice: ' + JSON.stringify([first, again]));
    return first.objectId;
  });
  await step('generateCode', async () => {
    const res = await Bmob.generateCode({ path: 'pages/index/index', width: 430, type: 1 });
    check(res.cdn === 'upyun' && /\.png$/.test(res.url), 'a stored code: ' + JSON.stringify(res));
    const png = Buffer.from(await fetch(res.url).then((r) => r.arrayBuffer()));
    check(png.subarray(1, 4).toString() === 'PNG', 'the URL serves a PNG');
    return res.filename;
  });
  await step('getAccessToken', async () => {
    const res = await Bmob.getAccessToken();
    check(/^sandbox_/.test(res.access_token), 'a sandbox token: ' + JSON.stringify(res));
    return res;
  });
  await step('checkMsg', async () => {
    const res = await Bmob.checkMsg('hello');
    check(res.msg === 'ok', 'clean text: ' + JSON.stringify(res));
    try {
      await Bmob.checkMsg('特3456书yuuo莞6543李zxcz蒜7782法fgnv级');
      throw new Error('risky text passed');
    } catch (err) {
      check(err.code === 10007 && /87014/.test(err.error), 'risky text: ' + JSON.stringify(err));
    }
    return res;
  });
  await step('notifyMsg', async () => {
    const res = await Bmob.notifyMsg({ touser: 'openid', template_id: 'template_id', url: 'http://127.0.0.1/', data: { first: { value: 'hi' } } });
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    return res;
  });
  await step('refund', async () => {
    const res = await Bmob.refund({ order_no: 'order_no', refund_fee: 1, desc: '退款' });
    check(res.msg === 'ok', 'msg ok: ' + JSON.stringify(res));
    return res;
  });
}

main().catch((err) => {
  log(JSON.stringify({ step: 'main', ok: false, error: String(err && err.stack || err) }));
  process.exit(1);
});
