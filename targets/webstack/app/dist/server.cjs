"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf, __hasOwnProp = Object.prototype.hasOwnProperty;
var __commonJS = (cb, mod) => function() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from == "object" || typeof from == "function")
    for (let key of __getOwnPropNames(from))
      !__hasOwnProp.call(to, key) && key !== except && __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: !0 }) : target,
  mod
));

// ../../../node_modules/@ioredis/commands/built/commands.json
var require_commands = __commonJS({
  "../../../node_modules/@ioredis/commands/built/commands.json"(exports2, module2) {
    module2.exports = {
      vadd: {
        arity: -5,
        flags: [
          "write",
          "denyoom",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vcard: {
        arity: 2,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vdim: {
        arity: 2,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vemb: {
        arity: -3,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vgetattr: {
        arity: 3,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vinfo: {
        arity: 2,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vismember: {
        arity: 3,
        flags: [
          "readonly",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vlinks: {
        arity: -3,
        flags: [
          "readonly",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vrandmember: {
        arity: -2,
        flags: [
          "readonly",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vrange: {
        arity: -4,
        flags: [
          "readonly",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vrem: {
        arity: 3,
        flags: [
          "write",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vsetattr: {
        arity: 4,
        flags: [
          "write",
          "module",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      vsim: {
        arity: -4,
        flags: [
          "readonly",
          "module"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      acl: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      append: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arcount: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      ardel: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      ardelrange: {
        arity: -4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arget: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      argetrange: {
        arity: 4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      argrep: {
        arity: -6,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arinfo: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arinsert: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arlastitems: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arlen: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      armget: {
        arity: -3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      armset: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arnext: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arop: {
        arity: -5,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arring: {
        arity: -4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arscan: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arseek: {
        arity: 3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      arset: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      asking: {
        arity: 1,
        flags: [
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      auth: {
        arity: -2,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "no_auth",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      bgrewriteaof: {
        arity: 1,
        flags: [
          "admin",
          "noscript",
          "no_async_loading"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      bgsave: {
        arity: -1,
        flags: [
          "admin",
          "noscript",
          "no_async_loading"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      bitcount: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      bitfield: {
        arity: -2,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      bitfield_ro: {
        arity: -2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      bitop: {
        arity: -4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 2,
        keyStop: -1,
        step: 1
      },
      bitpos: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      blmove: {
        arity: 6,
        flags: [
          "write",
          "denyoom",
          "noscript",
          "blocking"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      blmpop: {
        arity: -5,
        flags: [
          "write",
          "blocking",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      blpop: {
        arity: -3,
        flags: [
          "write",
          "noscript",
          "blocking"
        ],
        keyStart: 1,
        keyStop: -2,
        step: 1
      },
      brpop: {
        arity: -3,
        flags: [
          "write",
          "noscript",
          "blocking"
        ],
        keyStart: 1,
        keyStop: -2,
        step: 1
      },
      brpoplpush: {
        arity: 4,
        flags: [
          "write",
          "denyoom",
          "noscript",
          "blocking"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      bzmpop: {
        arity: -5,
        flags: [
          "write",
          "blocking",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      bzpopmax: {
        arity: -3,
        flags: [
          "write",
          "noscript",
          "blocking",
          "fast"
        ],
        keyStart: 1,
        keyStop: -2,
        step: 1
      },
      bzpopmin: {
        arity: -3,
        flags: [
          "write",
          "noscript",
          "blocking",
          "fast"
        ],
        keyStart: 1,
        keyStop: -2,
        step: 1
      },
      client: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      cluster: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      command: {
        arity: -1,
        flags: [
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      config: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      copy: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      dbsize: {
        arity: 1,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      debug: {
        arity: -2,
        flags: [
          "admin",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      decr: {
        arity: 2,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      decrby: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      del: {
        arity: -2,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      discard: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      dump: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      echo: {
        arity: 2,
        flags: [
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      eval: {
        arity: -3,
        flags: [
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      eval_ro: {
        arity: -3,
        flags: [
          "readonly",
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      evalsha: {
        arity: -3,
        flags: [
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      evalsha_ro: {
        arity: -3,
        flags: [
          "readonly",
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      exec: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "skip_slowlog"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      exists: {
        arity: -2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      expire: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      expireat: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      expiretime: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      failover: {
        arity: -1,
        flags: [
          "admin",
          "noscript",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      fcall: {
        arity: -3,
        flags: [
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      fcall_ro: {
        arity: -3,
        flags: [
          "readonly",
          "noscript",
          "stale",
          "skip_monitor",
          "no_mandatory_keys",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      flushall: {
        arity: -1,
        flags: [
          "write"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      flushdb: {
        arity: -1,
        flags: [
          "write"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      function: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      geoadd: {
        arity: -5,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      geodist: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      geohash: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      geopos: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      georadius: {
        arity: -6,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      georadius_ro: {
        arity: -6,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      georadiusbymember: {
        arity: -5,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      georadiusbymember_ro: {
        arity: -5,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      geosearch: {
        arity: -7,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      geosearchstore: {
        arity: -8,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      get: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      getbit: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      getdel: {
        arity: 2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      getex: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      getrange: {
        arity: 4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      getset: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hdel: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hello: {
        arity: -1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "no_auth",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      hexists: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hexpire: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hexpireat: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hexpiretime: {
        arity: -5,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hget: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hgetall: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hgetdel: {
        arity: -5,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hgetex: {
        arity: -5,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hincrby: {
        arity: 4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hincrbyfloat: {
        arity: 4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hkeys: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hlen: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hmget: {
        arity: -3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hmset: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hpersist: {
        arity: -5,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hpexpire: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hpexpireat: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hpexpiretime: {
        arity: -5,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hpttl: {
        arity: -5,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hrandfield: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hscan: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hset: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hsetex: {
        arity: -6,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hsetnx: {
        arity: 4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hstrlen: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      httl: {
        arity: -5,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      hvals: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      incr: {
        arity: 2,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      incrby: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      incrbyfloat: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      increx: {
        arity: -2,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      info: {
        arity: -1,
        flags: [
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      keys: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      lastsave: {
        arity: 1,
        flags: [
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      latency: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      lcs: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      lindex: {
        arity: 3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      linsert: {
        arity: 5,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      llen: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lmove: {
        arity: 5,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      lmpop: {
        arity: -4,
        flags: [
          "write",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      lolwut: {
        arity: -1,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      lpop: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lpos: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lpush: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lpushx: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lrange: {
        arity: 4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lrem: {
        arity: 4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      lset: {
        arity: 4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      ltrim: {
        arity: 4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      memory: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      mget: {
        arity: -2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      migrate: {
        arity: -6,
        flags: [
          "write",
          "movablekeys"
        ],
        keyStart: 3,
        keyStop: 3,
        step: 1
      },
      module: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      monitor: {
        arity: 1,
        flags: [
          "admin",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      move: {
        arity: 3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      mset: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 2
      },
      msetex: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      msetnx: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 2
      },
      multi: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      object: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      persist: {
        arity: 2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      pexpire: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      pexpireat: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      pexpiretime: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      pfadd: {
        arity: -2,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      pfcount: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      pfdebug: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "admin"
        ],
        keyStart: 2,
        keyStop: 2,
        step: 1
      },
      pfmerge: {
        arity: -2,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      pfselftest: {
        arity: 1,
        flags: [
          "admin"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      ping: {
        arity: -1,
        flags: [
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      psetex: {
        arity: 4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      psubscribe: {
        arity: -2,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      psync: {
        arity: -3,
        flags: [
          "admin",
          "noscript",
          "no_async_loading",
          "no_multi"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      pttl: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      publish: {
        arity: 3,
        flags: [
          "pubsub",
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      pubsub: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      punsubscribe: {
        arity: -1,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      quit: {
        arity: -1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "no_auth",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      randomkey: {
        arity: 1,
        flags: [
          "readonly"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      readonly: {
        arity: 1,
        flags: [
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      readwrite: {
        arity: 1,
        flags: [
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      rename: {
        arity: 3,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      renamenx: {
        arity: 3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      replconf: {
        arity: -1,
        flags: [
          "admin",
          "noscript",
          "loading",
          "stale",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      replicaof: {
        arity: 3,
        flags: [
          "admin",
          "noscript",
          "stale",
          "no_async_loading"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      reset: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "no_auth",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      restore: {
        arity: -4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      "restore-asking": {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "asking"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      role: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      rpop: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      rpoplpush: {
        arity: 3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      rpush: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      rpushx: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      sadd: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      save: {
        arity: 1,
        flags: [
          "admin",
          "noscript",
          "no_async_loading",
          "no_multi"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      scan: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      scard: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      script: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      sdiff: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      sdiffstore: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      select: {
        arity: 2,
        flags: [
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      set: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      setbit: {
        arity: 4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      setex: {
        arity: 4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      setnx: {
        arity: 3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      setrange: {
        arity: 4,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      shutdown: {
        arity: -1,
        flags: [
          "admin",
          "noscript",
          "loading",
          "stale",
          "no_multi",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      sinter: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      sintercard: {
        arity: -3,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      sinterstore: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      sismember: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      slaveof: {
        arity: 3,
        flags: [
          "admin",
          "noscript",
          "stale",
          "no_async_loading"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      slowlog: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      smembers: {
        arity: 2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      smismember: {
        arity: -3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      smove: {
        arity: 4,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      sort: {
        arity: -2,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      sort_ro: {
        arity: -2,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      spop: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      spublish: {
        arity: 3,
        flags: [
          "pubsub",
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      srandmember: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      srem: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      sscan: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      ssubscribe: {
        arity: -2,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      strlen: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      subscribe: {
        arity: -2,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      substr: {
        arity: 4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      sunion: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      sunionstore: {
        arity: -3,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      sunsubscribe: {
        arity: -1,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      swapdb: {
        arity: 3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      sync: {
        arity: 1,
        flags: [
          "admin",
          "noscript",
          "no_async_loading",
          "no_multi"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      time: {
        arity: 1,
        flags: [
          "loading",
          "stale",
          "fast"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      touch: {
        arity: -2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      ttl: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      type: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      unlink: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      unsubscribe: {
        arity: -1,
        flags: [
          "pubsub",
          "noscript",
          "loading",
          "stale"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      unwatch: {
        arity: 1,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "allow_busy"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      wait: {
        arity: 3,
        flags: [
          "noscript"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      watch: {
        arity: -2,
        flags: [
          "noscript",
          "loading",
          "stale",
          "fast",
          "allow_busy"
        ],
        keyStart: 1,
        keyStop: -1,
        step: 1
      },
      xack: {
        arity: -4,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xadd: {
        arity: -5,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xautoclaim: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xclaim: {
        arity: -6,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xdel: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xdelex: {
        arity: -5,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xgroup: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      xinfo: {
        arity: -2,
        flags: [],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      xlen: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xnack: {
        arity: -7,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xpending: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xrange: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xread: {
        arity: -4,
        flags: [
          "readonly",
          "blocking",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      xreadgroup: {
        arity: -7,
        flags: [
          "write",
          "blocking",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      xrevrange: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xsetid: {
        arity: -3,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      xtrim: {
        arity: -4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zadd: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zcard: {
        arity: 2,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zcount: {
        arity: 4,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zdiff: {
        arity: -3,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      zdiffstore: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zincrby: {
        arity: 4,
        flags: [
          "write",
          "denyoom",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zinter: {
        arity: -3,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      zintercard: {
        arity: -3,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      zinterstore: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zlexcount: {
        arity: 4,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zmpop: {
        arity: -4,
        flags: [
          "write",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      zmscore: {
        arity: -3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zpopmax: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zpopmin: {
        arity: -2,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrandmember: {
        arity: -2,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrange: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrangebylex: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrangebyscore: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrangestore: {
        arity: -5,
        flags: [
          "write",
          "denyoom"
        ],
        keyStart: 1,
        keyStop: 2,
        step: 1
      },
      zrank: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrem: {
        arity: -3,
        flags: [
          "write",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zremrangebylex: {
        arity: 4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zremrangebyrank: {
        arity: 4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zremrangebyscore: {
        arity: 4,
        flags: [
          "write"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrevrange: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrevrangebylex: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrevrangebyscore: {
        arity: -4,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zrevrank: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zscan: {
        arity: -3,
        flags: [
          "readonly"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zscore: {
        arity: 3,
        flags: [
          "readonly",
          "fast"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      },
      zunion: {
        arity: -3,
        flags: [
          "readonly",
          "movablekeys"
        ],
        keyStart: 0,
        keyStop: 0,
        step: 0
      },
      zunionstore: {
        arity: -4,
        flags: [
          "write",
          "denyoom",
          "movablekeys"
        ],
        keyStart: 1,
        keyStop: 1,
        step: 1
      }
    };
  }
});

// ../../../node_modules/@ioredis/commands/built/index.js
var require_built = __commonJS({
  "../../../node_modules/@ioredis/commands/built/index.js"(exports2) {
    "use strict";
    var __importDefault = exports2 && exports2.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { default: mod };
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.getKeyIndexes = exports2.hasFlag = exports2.exists = exports2.list = void 0;
    var commands_json_1 = __importDefault(require_commands());
    exports2.list = Object.keys(commands_json_1.default);
    var flags = {};
    exports2.list.forEach((commandName) => {
      flags[commandName] = commands_json_1.default[commandName].flags.reduce(function(flags2, flag) {
        return flags2[flag] = !0, flags2;
      }, {});
    });
    function exists(commandName, options) {
      return commandName = options?.caseInsensitive ? String(commandName).toLowerCase() : commandName, !!commands_json_1.default[commandName];
    }
    exports2.exists = exists;
    function hasFlag(commandName, flag, options) {
      if (commandName = options?.nameCaseInsensitive ? String(commandName).toLowerCase() : commandName, !flags[commandName])
        throw new Error("Unknown command " + commandName);
      return !!flags[commandName][flag];
    }
    exports2.hasFlag = hasFlag;
    function getKeyIndexes(commandName, args, options) {
      commandName = options?.nameCaseInsensitive ? String(commandName).toLowerCase() : commandName;
      let command = commands_json_1.default[commandName];
      if (!command)
        throw new Error("Unknown command " + commandName);
      if (!Array.isArray(args))
        throw new Error("Expect args to be an array");
      let keys = [], parseExternalKey = !!(options && options.parseExternalKey), takeDynamicKeys = (args2, startIndex) => {
        let keys2 = [], keyStop = Number(args2[startIndex]);
        for (let i = 0; i < keyStop; i++)
          keys2.push(i + startIndex + 1);
        return keys2;
      }, takeKeyAfterToken = (args2, startIndex, token) => {
        for (let i = startIndex; i < args2.length - 1; i += 1)
          if (String(args2[i]).toLowerCase() === token.toLowerCase())
            return i + 1;
        return null;
      };
      switch (commandName) {
        case "zunionstore":
        case "zinterstore":
        case "zdiffstore":
          keys.push(0, ...takeDynamicKeys(args, 1));
          break;
        case "eval":
        case "evalsha":
        case "eval_ro":
        case "evalsha_ro":
        case "fcall":
        case "fcall_ro":
        case "blmpop":
        case "bzmpop":
          keys.push(...takeDynamicKeys(args, 1));
          break;
        case "sintercard":
        case "lmpop":
        case "zunion":
        case "zinter":
        case "zmpop":
        case "zintercard":
        case "zdiff": {
          keys.push(...takeDynamicKeys(args, 0));
          break;
        }
        case "msetex": {
          let numKeys = Number(args[0]);
          for (let i = 0; i < numKeys; i++)
            keys.push(1 + i * 2);
          break;
        }
        case "georadius": {
          keys.push(0);
          let storeKey = takeKeyAfterToken(args, 5, "STORE");
          storeKey && keys.push(storeKey);
          let distKey = takeKeyAfterToken(args, 5, "STOREDIST");
          distKey && keys.push(distKey);
          break;
        }
        case "georadiusbymember": {
          keys.push(0);
          let storeKey = takeKeyAfterToken(args, 4, "STORE");
          storeKey && keys.push(storeKey);
          let distKey = takeKeyAfterToken(args, 4, "STOREDIST");
          distKey && keys.push(distKey);
          break;
        }
        case "sort":
        case "sort_ro":
          keys.push(0);
          for (let i = 1; i < args.length - 1; i++) {
            let arg = args[i];
            if (typeof arg != "string")
              continue;
            let directive = arg.toUpperCase();
            directive === "GET" ? (i += 1, arg = args[i], arg !== "#" && (parseExternalKey ? keys.push([i, getExternalKeyNameLength(arg)]) : keys.push(i))) : directive === "BY" ? (i += 1, parseExternalKey ? keys.push([i, getExternalKeyNameLength(args[i])]) : keys.push(i)) : directive === "STORE" && (i += 1, keys.push(i));
          }
          break;
        case "migrate":
          if (args[2] === "")
            for (let i = 5; i < args.length - 1; i++) {
              let arg = args[i];
              if (typeof arg == "string" && arg.toUpperCase() === "KEYS") {
                for (let j = i + 1; j < args.length; j++)
                  keys.push(j);
                break;
              }
            }
          else
            keys.push(2);
          break;
        case "xreadgroup":
        case "xread":
          for (let i = commandName === "xread" ? 0 : 3; i < args.length - 1; i++)
            if (String(args[i]).toUpperCase() === "STREAMS") {
              for (let j = i + 1; j <= i + (args.length - 1 - i) / 2; j++)
                keys.push(j);
              break;
            }
          break;
        default:
          if (command.step > 0) {
            let keyStart = command.keyStart - 1, keyStop = command.keyStop > 0 ? command.keyStop : args.length + command.keyStop + 1;
            for (let i = keyStart; i < keyStop; i += command.step)
              keys.push(i);
          }
          break;
      }
      return keys;
    }
    exports2.getKeyIndexes = getKeyIndexes;
    function getExternalKeyNameLength(key) {
      typeof key != "string" && (key = String(key));
      let hashPos = key.indexOf("->");
      return hashPos === -1 ? key.length : hashPos;
    }
  }
});

// ../../../node_modules/standard-as-callback/built/utils.js
var require_utils = __commonJS({
  "../../../node_modules/standard-as-callback/built/utils.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.tryCatch = exports2.errorObj = void 0;
    exports2.errorObj = { e: {} };
    var tryCatchTarget;
    function tryCatcher(err, val) {
      try {
        let target = tryCatchTarget;
        return tryCatchTarget = null, target.apply(this, arguments);
      } catch (e) {
        return exports2.errorObj.e = e, exports2.errorObj;
      }
    }
    function tryCatch(fn) {
      return tryCatchTarget = fn, tryCatcher;
    }
    exports2.tryCatch = tryCatch;
  }
});

// ../../../node_modules/standard-as-callback/built/index.js
var require_built2 = __commonJS({
  "../../../node_modules/standard-as-callback/built/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var utils_1 = require_utils();
    function throwLater(e) {
      setTimeout(function() {
        throw e;
      }, 0);
    }
    function asCallback(promise, nodeback, options) {
      return typeof nodeback == "function" && promise.then((val) => {
        let ret2;
        options !== void 0 && Object(options).spread && Array.isArray(val) ? ret2 = utils_1.tryCatch(nodeback).apply(void 0, [null].concat(val)) : ret2 = val === void 0 ? utils_1.tryCatch(nodeback)(null) : utils_1.tryCatch(nodeback)(null, val), ret2 === utils_1.errorObj && throwLater(ret2.e);
      }, (cause) => {
        if (!cause) {
          let newReason = new Error(cause + "");
          Object.assign(newReason, { cause }), cause = newReason;
        }
        let ret2 = utils_1.tryCatch(nodeback)(cause);
        ret2 === utils_1.errorObj && throwLater(ret2.e);
      }), promise;
    }
    exports2.default = asCallback;
  }
});

// ../../../node_modules/redis-errors/lib/old.js
var require_old = __commonJS({
  "../../../node_modules/redis-errors/lib/old.js"(exports2, module2) {
    "use strict";
    var assert = require("assert"), util = require("util");
    function RedisError(message) {
      Object.defineProperty(this, "message", {
        value: message || "",
        configurable: !0,
        writable: !0
      }), Error.captureStackTrace(this, this.constructor);
    }
    util.inherits(RedisError, Error);
    Object.defineProperty(RedisError.prototype, "name", {
      value: "RedisError",
      configurable: !0,
      writable: !0
    });
    function ParserError(message, buffer, offset) {
      assert(buffer), assert.strictEqual(typeof offset, "number"), Object.defineProperty(this, "message", {
        value: message || "",
        configurable: !0,
        writable: !0
      });
      let tmp = Error.stackTraceLimit;
      Error.stackTraceLimit = 2, Error.captureStackTrace(this, this.constructor), Error.stackTraceLimit = tmp, this.offset = offset, this.buffer = buffer;
    }
    util.inherits(ParserError, RedisError);
    Object.defineProperty(ParserError.prototype, "name", {
      value: "ParserError",
      configurable: !0,
      writable: !0
    });
    function ReplyError(message) {
      Object.defineProperty(this, "message", {
        value: message || "",
        configurable: !0,
        writable: !0
      });
      let tmp = Error.stackTraceLimit;
      Error.stackTraceLimit = 2, Error.captureStackTrace(this, this.constructor), Error.stackTraceLimit = tmp;
    }
    util.inherits(ReplyError, RedisError);
    Object.defineProperty(ReplyError.prototype, "name", {
      value: "ReplyError",
      configurable: !0,
      writable: !0
    });
    function AbortError(message) {
      Object.defineProperty(this, "message", {
        value: message || "",
        configurable: !0,
        writable: !0
      }), Error.captureStackTrace(this, this.constructor);
    }
    util.inherits(AbortError, RedisError);
    Object.defineProperty(AbortError.prototype, "name", {
      value: "AbortError",
      configurable: !0,
      writable: !0
    });
    function InterruptError(message) {
      Object.defineProperty(this, "message", {
        value: message || "",
        configurable: !0,
        writable: !0
      }), Error.captureStackTrace(this, this.constructor);
    }
    util.inherits(InterruptError, AbortError);
    Object.defineProperty(InterruptError.prototype, "name", {
      value: "InterruptError",
      configurable: !0,
      writable: !0
    });
    module2.exports = {
      RedisError,
      ParserError,
      ReplyError,
      AbortError,
      InterruptError
    };
  }
});

// ../../../node_modules/redis-errors/lib/modern.js
var require_modern = __commonJS({
  "../../../node_modules/redis-errors/lib/modern.js"(exports2, module2) {
    "use strict";
    var assert = require("assert"), RedisError = class extends Error {
      get name() {
        return this.constructor.name;
      }
    }, ParserError = class extends RedisError {
      constructor(message, buffer, offset) {
        assert(buffer), assert.strictEqual(typeof offset, "number");
        let tmp = Error.stackTraceLimit;
        Error.stackTraceLimit = 2, super(message), Error.stackTraceLimit = tmp, this.offset = offset, this.buffer = buffer;
      }
      get name() {
        return this.constructor.name;
      }
    }, ReplyError = class extends RedisError {
      constructor(message) {
        let tmp = Error.stackTraceLimit;
        Error.stackTraceLimit = 2, super(message), Error.stackTraceLimit = tmp;
      }
      get name() {
        return this.constructor.name;
      }
    }, AbortError = class extends RedisError {
      get name() {
        return this.constructor.name;
      }
    }, InterruptError = class extends AbortError {
      get name() {
        return this.constructor.name;
      }
    };
    module2.exports = {
      RedisError,
      ParserError,
      ReplyError,
      AbortError,
      InterruptError
    };
  }
});

// ../../../node_modules/redis-errors/index.js
var require_redis_errors = __commonJS({
  "../../../node_modules/redis-errors/index.js"(exports2, module2) {
    "use strict";
    var Errors = process.version.charCodeAt(1) < 55 && process.version.charCodeAt(2) === 46 ? require_old() : require_modern();
    module2.exports = Errors;
  }
});

// ../../../node_modules/cluster-key-slot/lib/index.js
var require_lib = __commonJS({
  "../../../node_modules/cluster-key-slot/lib/index.js"(exports2, module2) {
    var lookup = [
      0,
      4129,
      8258,
      12387,
      16516,
      20645,
      24774,
      28903,
      33032,
      37161,
      41290,
      45419,
      49548,
      53677,
      57806,
      61935,
      4657,
      528,
      12915,
      8786,
      21173,
      17044,
      29431,
      25302,
      37689,
      33560,
      45947,
      41818,
      54205,
      50076,
      62463,
      58334,
      9314,
      13379,
      1056,
      5121,
      25830,
      29895,
      17572,
      21637,
      42346,
      46411,
      34088,
      38153,
      58862,
      62927,
      50604,
      54669,
      13907,
      9842,
      5649,
      1584,
      30423,
      26358,
      22165,
      18100,
      46939,
      42874,
      38681,
      34616,
      63455,
      59390,
      55197,
      51132,
      18628,
      22757,
      26758,
      30887,
      2112,
      6241,
      10242,
      14371,
      51660,
      55789,
      59790,
      63919,
      35144,
      39273,
      43274,
      47403,
      23285,
      19156,
      31415,
      27286,
      6769,
      2640,
      14899,
      10770,
      56317,
      52188,
      64447,
      60318,
      39801,
      35672,
      47931,
      43802,
      27814,
      31879,
      19684,
      23749,
      11298,
      15363,
      3168,
      7233,
      60846,
      64911,
      52716,
      56781,
      44330,
      48395,
      36200,
      40265,
      32407,
      28342,
      24277,
      20212,
      15891,
      11826,
      7761,
      3696,
      65439,
      61374,
      57309,
      53244,
      48923,
      44858,
      40793,
      36728,
      37256,
      33193,
      45514,
      41451,
      53516,
      49453,
      61774,
      57711,
      4224,
      161,
      12482,
      8419,
      20484,
      16421,
      28742,
      24679,
      33721,
      37784,
      41979,
      46042,
      49981,
      54044,
      58239,
      62302,
      689,
      4752,
      8947,
      13010,
      16949,
      21012,
      25207,
      29270,
      46570,
      42443,
      38312,
      34185,
      62830,
      58703,
      54572,
      50445,
      13538,
      9411,
      5280,
      1153,
      29798,
      25671,
      21540,
      17413,
      42971,
      47098,
      34713,
      38840,
      59231,
      63358,
      50973,
      55100,
      9939,
      14066,
      1681,
      5808,
      26199,
      30326,
      17941,
      22068,
      55628,
      51565,
      63758,
      59695,
      39368,
      35305,
      47498,
      43435,
      22596,
      18533,
      30726,
      26663,
      6336,
      2273,
      14466,
      10403,
      52093,
      56156,
      60223,
      64286,
      35833,
      39896,
      43963,
      48026,
      19061,
      23124,
      27191,
      31254,
      2801,
      6864,
      10931,
      14994,
      64814,
      60687,
      56684,
      52557,
      48554,
      44427,
      40424,
      36297,
      31782,
      27655,
      23652,
      19525,
      15522,
      11395,
      7392,
      3265,
      61215,
      65342,
      53085,
      57212,
      44955,
      49082,
      36825,
      40952,
      28183,
      32310,
      20053,
      24180,
      11923,
      16050,
      3793,
      7920
    ], toUTF8Array = function(str) {
      for (var char, i = 0, p = 0, utf8 = [], len = str.length; i < len; i++)
        char = str.charCodeAt(i), char < 128 ? utf8[p++] = char : char < 2048 ? (utf8[p++] = char >> 6 | 192, utf8[p++] = char & 63 | 128) : (char & 64512) === 55296 && i + 1 < str.length && (str.charCodeAt(i + 1) & 64512) === 56320 ? (char = 65536 + ((char & 1023) << 10) + (str.charCodeAt(++i) & 1023), utf8[p++] = char >> 18 | 240, utf8[p++] = char >> 12 & 63 | 128, utf8[p++] = char >> 6 & 63 | 128, utf8[p++] = char & 63 | 128) : (utf8[p++] = char >> 12 | 224, utf8[p++] = char >> 6 & 63 | 128, utf8[p++] = char & 63 | 128);
      return utf8;
    }, generate = module2.exports = function(str) {
      for (var char, i = 0, start2 = -1, result = 0, resultHash = 0, utf8 = typeof str == "string" ? toUTF8Array(str) : str, len = utf8.length; i < len; ) {
        if (char = utf8[i++], start2 === -1)
          char === 123 && (start2 = i);
        else if (char !== 125)
          resultHash = lookup[(char ^ resultHash >> 8) & 255] ^ resultHash << 8;
        else if (i - 1 !== start2)
          return resultHash & 16383;
        result = lookup[(char ^ result >> 8) & 255] ^ result << 8;
      }
      return result & 16383;
    };
    module2.exports.generateMulti = function(keys) {
      for (var i = 1, len = keys.length, base = generate(keys[0]); i < len; )
        if (generate(keys[i++]) !== base) return -1;
      return base;
    };
  }
});

// ../../../node_modules/ioredis/built/utils/defaults.js
var require_defaults = __commonJS({
  "../../../node_modules/ioredis/built/utils/defaults.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.defaults = void 0;
    var IS_UNSIGNED_INTEGER = /^(?:0|[1-9]\d*)$/;
    function isNil(value) {
      return value == null;
    }
    function eq(value, other) {
      return value === other || Number.isNaN(value) && Number.isNaN(other);
    }
    function isLength(value) {
      return Number.isSafeInteger(value) && value >= 0;
    }
    function isArrayLike(value) {
      return value != null && typeof value != "function" && isLength(value.length);
    }
    function isObject(value) {
      return value !== null && (typeof value == "object" || typeof value == "function");
    }
    function isIndex(value, length = Number.MAX_SAFE_INTEGER) {
      switch (typeof value) {
        case "number":
          return Number.isInteger(value) && value >= 0 && value < length;
        case "symbol":
          return !1;
        case "string":
          return IS_UNSIGNED_INTEGER.test(value);
      }
    }
    function isIterateeCall(value, index, object) {
      return isObject(object) && (typeof index == "number" && isArrayLike(object) && isIndex(index) && index < object.length || typeof index == "string" && index in object) ? eq(object[index], value) : !1;
    }
    function defaults2(object, ...sources) {
      object = Object(object);
      let objectProto = Object.prototype, length = sources.length, guard = length > 2 ? sources[2] : void 0;
      guard && isIterateeCall(sources[0], sources[1], guard) && (length = 1);
      for (let i = 0; i < length; i++) {
        if (isNil(sources[i]))
          continue;
        let source = sources[i];
        for (let key in source) {
          let value = object[key];
          (value === void 0 || !objectProto.hasOwnProperty.call(object, key) && eq(value, objectProto[key])) && (object[key] = source[key]);
        }
      }
      return object;
    }
    exports2.defaults = defaults2;
  }
});

// ../../../node_modules/ioredis/built/utils/isArguments.js
var require_isArguments = __commonJS({
  "../../../node_modules/ioredis/built/utils/isArguments.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.isArguments = void 0;
    function getTag(value) {
      return value == null ? value === void 0 ? "[object Undefined]" : "[object Null]" : Object.prototype.toString.call(value);
    }
    function isArguments(value) {
      return value !== null && typeof value == "object" && getTag(value) === "[object Arguments]";
    }
    exports2.isArguments = isArguments;
  }
});

// ../../../node_modules/ioredis/built/utils/lodash.js
var require_lodash = __commonJS({
  "../../../node_modules/ioredis/built/utils/lodash.js"(exports2) {
    "use strict";
    var __createBinding = exports2 && exports2.__createBinding || (Object.create ? (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), Object.defineProperty(o, k2, { enumerable: !0, get: function() {
        return m[k];
      } });
    }) : (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), o[k2] = m[k];
    })), __exportStar = exports2 && exports2.__exportStar || function(m, exports3) {
      for (var p in m) p !== "default" && !Object.prototype.hasOwnProperty.call(exports3, p) && __createBinding(exports3, m, p);
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.noop = void 0;
    function noop() {
    }
    exports2.noop = noop;
    __exportStar(require_defaults(), exports2);
    __exportStar(require_isArguments(), exports2);
  }
});

// ../../../node_modules/ms/index.js
var require_ms = __commonJS({
  "../../../node_modules/ms/index.js"(exports2, module2) {
    var s = 1e3, m = s * 60, h = m * 60, d = h * 24, w = d * 7, y = d * 365.25;
    module2.exports = function(val, options) {
      options = options || {};
      var type = typeof val;
      if (type === "string" && val.length > 0)
        return parse(val);
      if (type === "number" && isFinite(val))
        return options.long ? fmtLong(val) : fmtShort(val);
      throw new Error(
        "val is not a non-empty string or a valid number. val=" + JSON.stringify(val)
      );
    };
    function parse(str) {
      if (str = String(str), !(str.length > 100)) {
        var match = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(
          str
        );
        if (match) {
          var n = parseFloat(match[1]), type = (match[2] || "ms").toLowerCase();
          switch (type) {
            case "years":
            case "year":
            case "yrs":
            case "yr":
            case "y":
              return n * y;
            case "weeks":
            case "week":
            case "w":
              return n * w;
            case "days":
            case "day":
            case "d":
              return n * d;
            case "hours":
            case "hour":
            case "hrs":
            case "hr":
            case "h":
              return n * h;
            case "minutes":
            case "minute":
            case "mins":
            case "min":
            case "m":
              return n * m;
            case "seconds":
            case "second":
            case "secs":
            case "sec":
            case "s":
              return n * s;
            case "milliseconds":
            case "millisecond":
            case "msecs":
            case "msec":
            case "ms":
              return n;
            default:
              return;
          }
        }
      }
    }
    function fmtShort(ms) {
      var msAbs = Math.abs(ms);
      return msAbs >= d ? Math.round(ms / d) + "d" : msAbs >= h ? Math.round(ms / h) + "h" : msAbs >= m ? Math.round(ms / m) + "m" : msAbs >= s ? Math.round(ms / s) + "s" : ms + "ms";
    }
    function fmtLong(ms) {
      var msAbs = Math.abs(ms);
      return msAbs >= d ? plural(ms, msAbs, d, "day") : msAbs >= h ? plural(ms, msAbs, h, "hour") : msAbs >= m ? plural(ms, msAbs, m, "minute") : msAbs >= s ? plural(ms, msAbs, s, "second") : ms + " ms";
    }
    function plural(ms, msAbs, n, name) {
      var isPlural = msAbs >= n * 1.5;
      return Math.round(ms / n) + " " + name + (isPlural ? "s" : "");
    }
  }
});

// ../../../node_modules/debug/src/common.js
var require_common = __commonJS({
  "../../../node_modules/debug/src/common.js"(exports2, module2) {
    function setup(env) {
      createDebug.debug = createDebug, createDebug.default = createDebug, createDebug.coerce = coerce, createDebug.disable = disable, createDebug.enable = enable, createDebug.enabled = enabled, createDebug.humanize = require_ms(), createDebug.destroy = destroy, Object.keys(env).forEach((key) => {
        createDebug[key] = env[key];
      }), createDebug.names = [], createDebug.skips = [], createDebug.formatters = {};
      function selectColor(namespace) {
        let hash = 0;
        for (let i = 0; i < namespace.length; i++)
          hash = (hash << 5) - hash + namespace.charCodeAt(i), hash |= 0;
        return createDebug.colors[Math.abs(hash) % createDebug.colors.length];
      }
      createDebug.selectColor = selectColor;
      function createDebug(namespace) {
        let prevTime, enableOverride = null, namespacesCache, enabledCache;
        function debug(...args) {
          if (!debug.enabled)
            return;
          let self2 = debug, curr = Number(/* @__PURE__ */ new Date()), ms = curr - (prevTime || curr);
          self2.diff = ms, self2.prev = prevTime, self2.curr = curr, prevTime = curr, args[0] = createDebug.coerce(args[0]), typeof args[0] != "string" && args.unshift("%O");
          let index = 0;
          args[0] = args[0].replace(/%([a-zA-Z%])/g, (match, format) => {
            if (match === "%%")
              return "%";
            index++;
            let formatter = createDebug.formatters[format];
            if (typeof formatter == "function") {
              let val = args[index];
              match = formatter.call(self2, val), args.splice(index, 1), index--;
            }
            return match;
          }), createDebug.formatArgs.call(self2, args), (self2.log || createDebug.log).apply(self2, args);
        }
        return debug.namespace = namespace, debug.useColors = createDebug.useColors(), debug.color = createDebug.selectColor(namespace), debug.extend = extend, debug.destroy = createDebug.destroy, Object.defineProperty(debug, "enabled", {
          enumerable: !0,
          configurable: !1,
          get: () => enableOverride !== null ? enableOverride : (namespacesCache !== createDebug.namespaces && (namespacesCache = createDebug.namespaces, enabledCache = createDebug.enabled(namespace)), enabledCache),
          set: (v) => {
            enableOverride = v;
          }
        }), typeof createDebug.init == "function" && createDebug.init(debug), debug;
      }
      function extend(namespace, delimiter) {
        let newDebug = createDebug(this.namespace + (typeof delimiter > "u" ? ":" : delimiter) + namespace);
        return newDebug.log = this.log, newDebug;
      }
      function enable(namespaces) {
        createDebug.save(namespaces), createDebug.namespaces = namespaces, createDebug.names = [], createDebug.skips = [];
        let split = (typeof namespaces == "string" ? namespaces : "").trim().replace(/\s+/g, ",").split(",").filter(Boolean);
        for (let ns of split)
          ns[0] === "-" ? createDebug.skips.push(ns.slice(1)) : createDebug.names.push(ns);
      }
      function matchesTemplate(search, template) {
        let searchIndex = 0, templateIndex = 0, starIndex = -1, matchIndex = 0;
        for (; searchIndex < search.length; )
          if (templateIndex < template.length && (template[templateIndex] === search[searchIndex] || template[templateIndex] === "*"))
            template[templateIndex] === "*" ? (starIndex = templateIndex, matchIndex = searchIndex, templateIndex++) : (searchIndex++, templateIndex++);
          else if (starIndex !== -1)
            templateIndex = starIndex + 1, matchIndex++, searchIndex = matchIndex;
          else
            return !1;
        for (; templateIndex < template.length && template[templateIndex] === "*"; )
          templateIndex++;
        return templateIndex === template.length;
      }
      function disable() {
        let namespaces = [
          ...createDebug.names,
          ...createDebug.skips.map((namespace) => "-" + namespace)
        ].join(",");
        return createDebug.enable(""), namespaces;
      }
      function enabled(name) {
        for (let skip of createDebug.skips)
          if (matchesTemplate(name, skip))
            return !1;
        for (let ns of createDebug.names)
          if (matchesTemplate(name, ns))
            return !0;
        return !1;
      }
      function coerce(val) {
        return val instanceof Error ? val.stack || val.message : val;
      }
      function destroy() {
        console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.");
      }
      return createDebug.enable(createDebug.load()), createDebug;
    }
    module2.exports = setup;
  }
});

// ../../../node_modules/debug/src/browser.js
var require_browser = __commonJS({
  "../../../node_modules/debug/src/browser.js"(exports2, module2) {
    exports2.formatArgs = formatArgs;
    exports2.save = save;
    exports2.load = load;
    exports2.useColors = useColors;
    exports2.storage = localstorage();
    exports2.destroy = /* @__PURE__ */ (() => {
      let warned = !1;
      return () => {
        warned || (warned = !0, console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`."));
      };
    })();
    exports2.colors = [
      "#0000CC",
      "#0000FF",
      "#0033CC",
      "#0033FF",
      "#0066CC",
      "#0066FF",
      "#0099CC",
      "#0099FF",
      "#00CC00",
      "#00CC33",
      "#00CC66",
      "#00CC99",
      "#00CCCC",
      "#00CCFF",
      "#3300CC",
      "#3300FF",
      "#3333CC",
      "#3333FF",
      "#3366CC",
      "#3366FF",
      "#3399CC",
      "#3399FF",
      "#33CC00",
      "#33CC33",
      "#33CC66",
      "#33CC99",
      "#33CCCC",
      "#33CCFF",
      "#6600CC",
      "#6600FF",
      "#6633CC",
      "#6633FF",
      "#66CC00",
      "#66CC33",
      "#9900CC",
      "#9900FF",
      "#9933CC",
      "#9933FF",
      "#99CC00",
      "#99CC33",
      "#CC0000",
      "#CC0033",
      "#CC0066",
      "#CC0099",
      "#CC00CC",
      "#CC00FF",
      "#CC3300",
      "#CC3333",
      "#CC3366",
      "#CC3399",
      "#CC33CC",
      "#CC33FF",
      "#CC6600",
      "#CC6633",
      "#CC9900",
      "#CC9933",
      "#CCCC00",
      "#CCCC33",
      "#FF0000",
      "#FF0033",
      "#FF0066",
      "#FF0099",
      "#FF00CC",
      "#FF00FF",
      "#FF3300",
      "#FF3333",
      "#FF3366",
      "#FF3399",
      "#FF33CC",
      "#FF33FF",
      "#FF6600",
      "#FF6633",
      "#FF9900",
      "#FF9933",
      "#FFCC00",
      "#FFCC33"
    ];
    function useColors() {
      if (typeof window < "u" && window.process && (window.process.type === "renderer" || window.process.__nwjs))
        return !0;
      if (typeof navigator < "u" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/(edge|trident)\/(\d+)/))
        return !1;
      let m;
      return typeof document < "u" && document.documentElement && document.documentElement.style && document.documentElement.style.WebkitAppearance || // Is firebug? http://stackoverflow.com/a/398120/376773
      typeof window < "u" && window.console && (window.console.firebug || window.console.exception && window.console.table) || // Is firefox >= v31?
      // https://developer.mozilla.org/en-US/docs/Tools/Web_Console#Styling_messages
      typeof navigator < "u" && navigator.userAgent && (m = navigator.userAgent.toLowerCase().match(/firefox\/(\d+)/)) && parseInt(m[1], 10) >= 31 || // Double check webkit in userAgent just in case we are in a worker
      typeof navigator < "u" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/applewebkit\/(\d+)/);
    }
    function formatArgs(args) {
      if (args[0] = (this.useColors ? "%c" : "") + this.namespace + (this.useColors ? " %c" : " ") + args[0] + (this.useColors ? "%c " : " ") + "+" + module2.exports.humanize(this.diff), !this.useColors)
        return;
      let c = "color: " + this.color;
      args.splice(1, 0, c, "color: inherit");
      let index = 0, lastC = 0;
      args[0].replace(/%[a-zA-Z%]/g, (match) => {
        match !== "%%" && (index++, match === "%c" && (lastC = index));
      }), args.splice(lastC, 0, c);
    }
    exports2.log = console.debug || console.log || (() => {
    });
    function save(namespaces) {
      try {
        namespaces ? exports2.storage.setItem("debug", namespaces) : exports2.storage.removeItem("debug");
      } catch {
      }
    }
    function load() {
      let r;
      try {
        r = exports2.storage.getItem("debug") || exports2.storage.getItem("DEBUG");
      } catch {
      }
      return !r && typeof process < "u" && "env" in process && (r = process.env.DEBUG), r;
    }
    function localstorage() {
      try {
        return localStorage;
      } catch {
      }
    }
    module2.exports = require_common()(exports2);
    var { formatters } = module2.exports;
    formatters.j = function(v) {
      try {
        return JSON.stringify(v);
      } catch (error) {
        return "[UnexpectedJSONParseError]: " + error.message;
      }
    };
  }
});

// ../../../node_modules/has-flag/index.js
var require_has_flag = __commonJS({
  "../../../node_modules/has-flag/index.js"(exports2, module2) {
    "use strict";
    module2.exports = (flag, argv = process.argv) => {
      let prefix = flag.startsWith("-") ? "" : flag.length === 1 ? "-" : "--", position = argv.indexOf(prefix + flag), terminatorPosition = argv.indexOf("--");
      return position !== -1 && (terminatorPosition === -1 || position < terminatorPosition);
    };
  }
});

// ../../../node_modules/supports-color/index.js
var require_supports_color = __commonJS({
  "../../../node_modules/supports-color/index.js"(exports2, module2) {
    "use strict";
    var os = require("os"), tty = require("tty"), hasFlag = require_has_flag(), { env } = process, forceColor;
    hasFlag("no-color") || hasFlag("no-colors") || hasFlag("color=false") || hasFlag("color=never") ? forceColor = 0 : (hasFlag("color") || hasFlag("colors") || hasFlag("color=true") || hasFlag("color=always")) && (forceColor = 1);
    "FORCE_COLOR" in env && (env.FORCE_COLOR === "true" ? forceColor = 1 : env.FORCE_COLOR === "false" ? forceColor = 0 : forceColor = env.FORCE_COLOR.length === 0 ? 1 : Math.min(parseInt(env.FORCE_COLOR, 10), 3));
    function translateLevel(level) {
      return level === 0 ? !1 : {
        level,
        hasBasic: !0,
        has256: level >= 2,
        has16m: level >= 3
      };
    }
    function supportsColor(haveStream, streamIsTTY) {
      if (forceColor === 0)
        return 0;
      if (hasFlag("color=16m") || hasFlag("color=full") || hasFlag("color=truecolor"))
        return 3;
      if (hasFlag("color=256"))
        return 2;
      if (haveStream && !streamIsTTY && forceColor === void 0)
        return 0;
      let min = forceColor || 0;
      if (env.TERM === "dumb")
        return min;
      if (process.platform === "win32") {
        let osRelease = os.release().split(".");
        return Number(osRelease[0]) >= 10 && Number(osRelease[2]) >= 10586 ? Number(osRelease[2]) >= 14931 ? 3 : 2 : 1;
      }
      if ("CI" in env)
        return ["TRAVIS", "CIRCLECI", "APPVEYOR", "GITLAB_CI", "GITHUB_ACTIONS", "BUILDKITE"].some((sign) => sign in env) || env.CI_NAME === "codeship" ? 1 : min;
      if ("TEAMCITY_VERSION" in env)
        return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env.TEAMCITY_VERSION) ? 1 : 0;
      if (env.COLORTERM === "truecolor")
        return 3;
      if ("TERM_PROGRAM" in env) {
        let version = parseInt((env.TERM_PROGRAM_VERSION || "").split(".")[0], 10);
        switch (env.TERM_PROGRAM) {
          case "iTerm.app":
            return version >= 3 ? 3 : 2;
          case "Apple_Terminal":
            return 2;
        }
      }
      return /-256(color)?$/i.test(env.TERM) ? 2 : /^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux/i.test(env.TERM) || "COLORTERM" in env ? 1 : min;
    }
    function getSupportLevel(stream) {
      let level = supportsColor(stream, stream && stream.isTTY);
      return translateLevel(level);
    }
    module2.exports = {
      supportsColor: getSupportLevel,
      stdout: translateLevel(supportsColor(!0, tty.isatty(1))),
      stderr: translateLevel(supportsColor(!0, tty.isatty(2)))
    };
  }
});

// ../../../node_modules/debug/src/node.js
var require_node = __commonJS({
  "../../../node_modules/debug/src/node.js"(exports2, module2) {
    var tty = require("tty"), util = require("util");
    exports2.init = init;
    exports2.log = log2;
    exports2.formatArgs = formatArgs;
    exports2.save = save;
    exports2.load = load;
    exports2.useColors = useColors;
    exports2.destroy = util.deprecate(
      () => {
      },
      "Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`."
    );
    exports2.colors = [6, 2, 3, 4, 5, 1];
    try {
      let supportsColor = require_supports_color();
      supportsColor && (supportsColor.stderr || supportsColor).level >= 2 && (exports2.colors = [
        20,
        21,
        26,
        27,
        32,
        33,
        38,
        39,
        40,
        41,
        42,
        43,
        44,
        45,
        56,
        57,
        62,
        63,
        68,
        69,
        74,
        75,
        76,
        77,
        78,
        79,
        80,
        81,
        92,
        93,
        98,
        99,
        112,
        113,
        128,
        129,
        134,
        135,
        148,
        149,
        160,
        161,
        162,
        163,
        164,
        165,
        166,
        167,
        168,
        169,
        170,
        171,
        172,
        173,
        178,
        179,
        184,
        185,
        196,
        197,
        198,
        199,
        200,
        201,
        202,
        203,
        204,
        205,
        206,
        207,
        208,
        209,
        214,
        215,
        220,
        221
      ]);
    } catch {
    }
    exports2.inspectOpts = Object.keys(process.env).filter((key) => /^debug_/i.test(key)).reduce((obj, key) => {
      let prop = key.substring(6).toLowerCase().replace(/_([a-z])/g, (_, k) => k.toUpperCase()), val = process.env[key];
      return /^(yes|on|true|enabled)$/i.test(val) ? val = !0 : /^(no|off|false|disabled)$/i.test(val) ? val = !1 : val === "null" ? val = null : val = Number(val), obj[prop] = val, obj;
    }, {});
    function useColors() {
      return "colors" in exports2.inspectOpts ? !!exports2.inspectOpts.colors : tty.isatty(process.stderr.fd);
    }
    function formatArgs(args) {
      let { namespace: name, useColors: useColors2 } = this;
      if (useColors2) {
        let c = this.color, colorCode = "\x1B[3" + (c < 8 ? c : "8;5;" + c), prefix = `  ${colorCode};1m${name} \x1B[0m`;
        args[0] = prefix + args[0].split(`
`).join(`
` + prefix), args.push(colorCode + "m+" + module2.exports.humanize(this.diff) + "\x1B[0m");
      } else
        args[0] = getDate() + name + " " + args[0];
    }
    function getDate() {
      return exports2.inspectOpts.hideDate ? "" : (/* @__PURE__ */ new Date()).toISOString() + " ";
    }
    function log2(...args) {
      return process.stderr.write(util.formatWithOptions(exports2.inspectOpts, ...args) + `
`);
    }
    function save(namespaces) {
      namespaces ? process.env.DEBUG = namespaces : delete process.env.DEBUG;
    }
    function load() {
      return process.env.DEBUG;
    }
    function init(debug) {
      debug.inspectOpts = {};
      let keys = Object.keys(exports2.inspectOpts);
      for (let i = 0; i < keys.length; i++)
        debug.inspectOpts[keys[i]] = exports2.inspectOpts[keys[i]];
    }
    module2.exports = require_common()(exports2);
    var { formatters } = module2.exports;
    formatters.o = function(v) {
      return this.inspectOpts.colors = this.useColors, util.inspect(v, this.inspectOpts).split(`
`).map((str) => str.trim()).join(" ");
    };
    formatters.O = function(v) {
      return this.inspectOpts.colors = this.useColors, util.inspect(v, this.inspectOpts);
    };
  }
});

// ../../../node_modules/debug/src/index.js
var require_src = __commonJS({
  "../../../node_modules/debug/src/index.js"(exports2, module2) {
    typeof process > "u" || process.type === "renderer" || process.browser === !0 || process.__nwjs ? module2.exports = require_browser() : module2.exports = require_node();
  }
});

// ../../../node_modules/ioredis/built/utils/debug.js
var require_debug = __commonJS({
  "../../../node_modules/ioredis/built/utils/debug.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.genRedactedString = exports2.getStringValue = exports2.MAX_ARGUMENT_LENGTH = void 0;
    var debug_1 = require_src(), MAX_ARGUMENT_LENGTH = 200;
    exports2.MAX_ARGUMENT_LENGTH = MAX_ARGUMENT_LENGTH;
    var NAMESPACE_PREFIX = "ioredis";
    function getStringValue(v) {
      if (v !== null)
        switch (typeof v) {
          case "boolean":
            return;
          case "number":
            return;
          case "object":
            if (Buffer.isBuffer(v))
              return v.toString("hex");
            if (Array.isArray(v))
              return v.join(",");
            try {
              return JSON.stringify(v);
            } catch {
              return;
            }
          case "string":
            return v;
        }
    }
    exports2.getStringValue = getStringValue;
    function genRedactedString(str, maxLen) {
      let { length } = str;
      return length <= maxLen ? str : str.slice(0, maxLen) + ' ... <REDACTED full-length="' + length + '">';
    }
    exports2.genRedactedString = genRedactedString;
    function genDebugFunction(namespace) {
      let fn = (0, debug_1.default)(`${NAMESPACE_PREFIX}:${namespace}`);
      function wrappedDebug(...args) {
        if (fn.enabled) {
          for (let i = 1; i < args.length; i++) {
            let str = getStringValue(args[i]);
            typeof str == "string" && str.length > MAX_ARGUMENT_LENGTH && (args[i] = genRedactedString(str, MAX_ARGUMENT_LENGTH));
          }
          return fn.apply(null, args);
        }
      }
      return Object.defineProperties(wrappedDebug, {
        namespace: {
          get() {
            return fn.namespace;
          }
        },
        enabled: {
          get() {
            return fn.enabled;
          }
        },
        destroy: {
          get() {
            return fn.destroy;
          }
        },
        log: {
          get() {
            return fn.log;
          },
          set(l) {
            fn.log = l;
          }
        }
      }), wrappedDebug;
    }
    exports2.default = genDebugFunction;
  }
});

// ../../../node_modules/ioredis/built/constants/TLSProfiles.js
var require_TLSProfiles = __commonJS({
  "../../../node_modules/ioredis/built/constants/TLSProfiles.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var RedisCloudCA = `-----BEGIN CERTIFICATE-----
MIIDTzCCAjegAwIBAgIJAKSVpiDswLcwMA0GCSqGSIb3DQEBBQUAMD4xFjAUBgNV
BAoMDUdhcmFudGlhIERhdGExJDAiBgNVBAMMG1NTTCBDZXJ0aWZpY2F0aW9uIEF1
dGhvcml0eTAeFw0xMzEwMDExMjE0NTVaFw0yMzA5MjkxMjE0NTVaMD4xFjAUBgNV
BAoMDUdhcmFudGlhIERhdGExJDAiBgNVBAMMG1NTTCBDZXJ0aWZpY2F0aW9uIEF1
dGhvcml0eTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBALZqkh/DczWP
JnxnHLQ7QL0T4B4CDKWBKCcisriGbA6ZePWVNo4hfKQC6JrzfR+081NeD6VcWUiz
rmd+jtPhIY4c+WVQYm5PKaN6DT1imYdxQw7aqO5j2KUCEh/cznpLxeSHoTxlR34E
QwF28Wl3eg2vc5ct8LjU3eozWVk3gb7alx9mSA2SgmuX5lEQawl++rSjsBStemY2
BDwOpAMXIrdEyP/cVn8mkvi/BDs5M5G+09j0gfhyCzRWMQ7Hn71u1eolRxwVxgi3
TMn+/vTaFSqxKjgck6zuAYjBRPaHe7qLxHNr1So/Mc9nPy+3wHebFwbIcnUojwbp
4nctkWbjb2cCAwEAAaNQME4wHQYDVR0OBBYEFP1whtcrydmW3ZJeuSoKZIKjze3w
MB8GA1UdIwQYMBaAFP1whtcrydmW3ZJeuSoKZIKjze3wMAwGA1UdEwQFMAMBAf8w
DQYJKoZIhvcNAQEFBQADggEBAG2erXhwRAa7+ZOBs0B6X57Hwyd1R4kfmXcs0rta
lbPpvgULSiB+TCbf3EbhJnHGyvdCY1tvlffLjdA7HJ0PCOn+YYLBA0pTU/dyvrN6
Su8NuS5yubnt9mb13nDGYo1rnt0YRfxN+8DM3fXIVr038A30UlPX2Ou1ExFJT0MZ
uFKY6ZvLdI6/1cbgmguMlAhM+DhKyV6Sr5699LM3zqeI816pZmlREETYkGr91q7k
BpXJu/dtHaGxg1ZGu6w/PCsYGUcECWENYD4VQPd8N32JjOfu6vEgoEAwfPP+3oGp
Z4m3ewACcWOAenqflb+cQYC4PsF7qbXDmRaWrbKntOlZ3n0=
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIGMTCCBBmgAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwajELMAkGA1UEBhMCVVMx
CzAJBgNVBAgMAkNBMQswCQYDVQQHDAJDQTESMBAGA1UECgwJUmVkaXNMYWJzMS0w
KwYDVQQDDCRSZWRpc0xhYnMgUm9vdCBDZXJ0aWZpY2F0ZSBBdXRob3JpdHkwHhcN
MTgwMjI1MTUzNzM3WhcNMjgwMjIzMTUzNzM3WjBfMQswCQYDVQQGEwJVUzELMAkG
A1UECAwCQ0ExEjAQBgNVBAoMCVJlZGlzTGFiczEvMC0GA1UEAwwmUkNQIEludGVy
bWVkaWF0ZSBDZXJ0aWZpY2F0ZSBBdXRob3JpdHkwggIiMA0GCSqGSIb3DQEBAQUA
A4ICDwAwggIKAoICAQDf9dqbxc8Bq7Ctq9rWcxrGNKKHivqLAFpPq02yLPx6fsOv
Tq7GsDChAYBBc4v7Y2Ap9RD5Vs3dIhEANcnolf27QwrG9RMnnvzk8pCvp1o6zSU4
VuOE1W66/O1/7e2rVxyrnTcP7UgK43zNIXu7+tiAqWsO92uSnuMoGPGpeaUm1jym
hjWKtkAwDFSqvHY+XL5qDVBEjeUe+WHkYUg40cAXjusAqgm2hZt29c2wnVrxW25W
P0meNlzHGFdA2AC5z54iRiqj57dTfBTkHoBczQxcyw6hhzxZQ4e5I5zOKjXXEhZN
r0tA3YC14CTabKRus/JmZieyZzRgEy2oti64tmLYTqSlAD78pRL40VNoaSYetXLw
hhNsXCHgWaY6d5bLOc/aIQMAV5oLvZQKvuXAF1IDmhPA+bZbpWipp0zagf1P1H3s
UzsMdn2KM0ejzgotbtNlj5TcrVwpmvE3ktvUAuA+hi3FkVx1US+2Gsp5x4YOzJ7u
P1WPk6ShF0JgnJH2ILdj6kttTWwFzH17keSFICWDfH/+kM+k7Y1v3EXMQXE7y0T9
MjvJskz6d/nv+sQhY04xt64xFMGTnZjlJMzfQNi7zWFLTZnDD0lPowq7l3YiPoTT
t5Xky83lu0KZsZBo0WlWaDG00gLVdtRgVbcuSWxpi5BdLb1kRab66JptWjxwXQID
AQABo4HrMIHoMDoGA1UdHwQzMDEwL6AtoCuGKWh0dHBzOi8vcmwtY2Etc2VydmVy
LnJlZGlzbGFicy5jb20vdjEvY3JsMEYGCCsGAQUFBwEBBDowODA2BggrBgEFBQcw
AYYqaHR0cHM6Ly9ybC1jYS1zZXJ2ZXIucmVkaXNsYWJzLmNvbS92MS9vY3NwMB0G
A1UdDgQWBBQHar5OKvQUpP2qWt6mckzToeCOHDAfBgNVHSMEGDAWgBQi42wH6hM4
L2sujEvLM0/u8lRXTzASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIB
hjANBgkqhkiG9w0BAQsFAAOCAgEAirEn/iTsAKyhd+pu2W3Z5NjCko4NPU0EYUbr
AP7+POK2rzjIrJO3nFYQ/LLuC7KCXG+2qwan2SAOGmqWst13Y+WHp44Kae0kaChW
vcYLXXSoGQGC8QuFSNUdaeg3RbMDYFT04dOkqufeWVccoHVxyTSg9eD8LZuHn5jw
7QDLiEECBmIJHk5Eeo2TAZrx4Yx6ufSUX5HeVjlAzqwtAqdt99uCJ/EL8bgpWbe+
XoSpvUv0SEC1I1dCAhCKAvRlIOA6VBcmzg5Am12KzkqTul12/VEFIgzqu0Zy2Jbc
AUPrYVu/+tOGXQaijy7YgwH8P8n3s7ZeUa1VABJHcxrxYduDDJBLZi+MjheUDaZ1
jQRHYevI2tlqeSBqdPKG4zBY5lS0GiAlmuze5oENt0P3XboHoZPHiqcK3VECgTVh
/BkJcuudETSJcZDmQ8YfoKfBzRQNg2sv/hwvUv73Ss51Sco8GEt2lD8uEdib1Q6z
zDT5lXJowSzOD5ZA9OGDjnSRL+2riNtKWKEqvtEG3VBJoBzu9GoxbAc7wIZLxmli
iF5a/Zf5X+UXD3s4TMmy6C4QZJpAA2egsSQCnraWO2ULhh7iXMysSkF/nzVfZn43
iqpaB8++9a37hWq14ZmOv0TJIDz//b2+KC4VFXWQ5W5QC6whsjT+OlG4p5ZYG0jo
616pxqo=
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIFujCCA6KgAwIBAgIJAJ1aTT1lu2ScMA0GCSqGSIb3DQEBCwUAMGoxCzAJBgNV
BAYTAlVTMQswCQYDVQQIDAJDQTELMAkGA1UEBwwCQ0ExEjAQBgNVBAoMCVJlZGlz
TGFiczEtMCsGA1UEAwwkUmVkaXNMYWJzIFJvb3QgQ2VydGlmaWNhdGUgQXV0aG9y
aXR5MB4XDTE4MDIyNTE1MjA0MloXDTM4MDIyMDE1MjA0MlowajELMAkGA1UEBhMC
VVMxCzAJBgNVBAgMAkNBMQswCQYDVQQHDAJDQTESMBAGA1UECgwJUmVkaXNMYWJz
MS0wKwYDVQQDDCRSZWRpc0xhYnMgUm9vdCBDZXJ0aWZpY2F0ZSBBdXRob3JpdHkw
ggIiMA0GCSqGSIb3DQEBAQUAA4ICDwAwggIKAoICAQDLEjXy7YrbN5Waau5cd6g1
G5C2tMmeTpZ0duFAPxNU4oE3RHS5gGiok346fUXuUxbZ6QkuzeN2/2Z+RmRcJhQY
Dm0ZgdG4x59An1TJfnzKKoWj8ISmoHS/TGNBdFzXV7FYNLBuqZouqePI6ReC6Qhl
pp45huV32Q3a6IDrrvx7Wo5ZczEQeFNbCeCOQYNDdTmCyEkHqc2AGo8eoIlSTutT
ULOC7R5gzJVTS0e1hesQ7jmqHjbO+VQS1NAL4/5K6cuTEqUl+XhVhPdLWBXJQ5ag
54qhX4v+ojLzeU1R/Vc6NjMvVtptWY6JihpgplprN0Yh2556ewcXMeturcKgXfGJ
xeYzsjzXerEjrVocX5V8BNrg64NlifzTMKNOOv4fVZszq1SIHR8F9ROrqiOdh8iC
JpUbLpXH9hWCSEO6VRMB2xJoKu3cgl63kF30s77x7wLFMEHiwsQRKxooE1UhgS9K
2sO4TlQ1eWUvFvHSTVDQDlGQ6zu4qjbOpb3Q8bQwoK+ai2alkXVR4Ltxe9QlgYK3
StsnPhruzZGA0wbXdpw0bnM+YdlEm5ffSTpNIfgHeaa7Dtb801FtA71ZlH7A6TaI
SIQuUST9EKmv7xrJyx0W1pGoPOLw5T029aTjnICSLdtV9bLwysrLhIYG5bnPq78B
cS+jZHFGzD7PUVGQD01nOQIDAQABo2MwYTAdBgNVHQ4EFgQUIuNsB+oTOC9rLoxL
yzNP7vJUV08wHwYDVR0jBBgwFoAUIuNsB+oTOC9rLoxLyzNP7vJUV08wDwYDVR0T
AQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwDQYJKoZIhvcNAQELBQADggIBAHfg
z5pMNUAKdMzK1aS1EDdK9yKz4qicILz5czSLj1mC7HKDRy8cVADUxEICis++CsCu
rYOvyCVergHQLREcxPq4rc5Nq1uj6J6649NEeh4WazOOjL4ZfQ1jVznMbGy+fJm3
3Hoelv6jWRG9iqeJZja7/1s6YC6bWymI/OY1e4wUKeNHAo+Vger7MlHV+RuabaX+
hSJ8bJAM59NCM7AgMTQpJCncrcdLeceYniGy5Q/qt2b5mJkQVkIdy4TPGGB+AXDJ
D0q3I/JDRkDUFNFdeW0js7fHdsvCR7O3tJy5zIgEV/o/BCkmJVtuwPYOrw/yOlKj
TY/U7ATAx9VFF6/vYEOMYSmrZlFX+98L6nJtwDqfLB5VTltqZ4H/KBxGE3IRSt9l
FXy40U+LnXzhhW+7VBAvyYX8GEXhHkKU8Gqk1xitrqfBXY74xKgyUSTolFSfFVgj
mcM/X4K45bka+qpkj7Kfv/8D4j6aZekwhN2ly6hhC1SmQ8qjMjpG/mrWOSSHZFmf
ybu9iD2AYHeIOkshIl6xYIa++Q/00/vs46IzAbQyriOi0XxlSMMVtPx0Q3isp+ji
n8Mq9eOuxYOEQ4of8twUkUDd528iwGtEdwf0Q01UyT84S62N8AySl1ZBKXJz6W4F
UhWfa/HQYOAPDdEjNgnVwLI23b8t0TozyCWw7q8h
-----END CERTIFICATE-----

-----BEGIN CERTIFICATE-----
MIIEjzCCA3egAwIBAgIQe55B/ALCKJDZtdNT8kD6hTANBgkqhkiG9w0BAQsFADBM
MSAwHgYDVQQLExdHbG9iYWxTaWduIFJvb3QgQ0EgLSBSMzETMBEGA1UEChMKR2xv
YmFsU2lnbjETMBEGA1UEAxMKR2xvYmFsU2lnbjAeFw0yMjAxMjYxMjAwMDBaFw0y
NTAxMjYwMDAwMDBaMFgxCzAJBgNVBAYTAkJFMRkwFwYDVQQKExBHbG9iYWxTaWdu
IG52LXNhMS4wLAYDVQQDEyVHbG9iYWxTaWduIEF0bGFzIFIzIE9WIFRMUyBDQSAy
MDIyIFEyMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmGmg1LW9b7Lf
8zDD83yBDTEkt+FOxKJZqF4veWc5KZsQj9HfnUS2e5nj/E+JImlGPsQuoiosLuXD
BVBNAMcUFa11buFMGMeEMwiTmCXoXRrXQmH0qjpOfKgYc5gHG3BsRGaRrf7VR4eg
ofNMG9wUBw4/g/TT7+bQJdA4NfE7Y4d5gEryZiBGB/swaX6Jp/8MF4TgUmOWmalK
dZCKyb4sPGQFRTtElk67F7vU+wdGcrcOx1tDcIB0ncjLPMnaFicagl+daWGsKqTh
counQb6QJtYHa91KvCfKWocMxQ7OIbB5UARLPmC4CJ1/f8YFm35ebfzAeULYdGXu
jE9CLor0OwIDAQABo4IBXzCCAVswDgYDVR0PAQH/BAQDAgGGMB0GA1UdJQQWMBQG
CCsGAQUFBwMBBggrBgEFBQcDAjASBgNVHRMBAf8ECDAGAQH/AgEAMB0GA1UdDgQW
BBSH5Zq7a7B/t95GfJWkDBpA8HHqdjAfBgNVHSMEGDAWgBSP8Et/qC5FJK5NUPpj
move4t0bvDB7BggrBgEFBQcBAQRvMG0wLgYIKwYBBQUHMAGGImh0dHA6Ly9vY3Nw
Mi5nbG9iYWxzaWduLmNvbS9yb290cjMwOwYIKwYBBQUHMAKGL2h0dHA6Ly9zZWN1
cmUuZ2xvYmFsc2lnbi5jb20vY2FjZXJ0L3Jvb3QtcjMuY3J0MDYGA1UdHwQvMC0w
K6ApoCeGJWh0dHA6Ly9jcmwuZ2xvYmFsc2lnbi5jb20vcm9vdC1yMy5jcmwwIQYD
VR0gBBowGDAIBgZngQwBAgIwDAYKKwYBBAGgMgoBAjANBgkqhkiG9w0BAQsFAAOC
AQEAKRic9/f+nmhQU/wz04APZLjgG5OgsuUOyUEZjKVhNGDwxGTvKhyXGGAMW2B/
3bRi+aElpXwoxu3pL6fkElbX3B0BeS5LoDtxkyiVEBMZ8m+sXbocwlPyxrPbX6mY
0rVIvnuUeBH8X0L5IwfpNVvKnBIilTbcebfHyXkPezGwz7E1yhUULjJFm2bt0SdX
y+4X/WeiiYIv+fTVgZZgl+/2MKIsu/qdBJc3f3TvJ8nz+Eax1zgZmww+RSQWeOj3
15Iw6Z5FX+NwzY/Ab+9PosR5UosSeq+9HhtaxZttXG1nVh+avYPGYddWmiMT90J5
ZgKnO/Fx2hBgTxhOTMYaD312kg==
-----END CERTIFICATE-----

-----BEGIN CERTIFICATE-----
MIIDXzCCAkegAwIBAgILBAAAAAABIVhTCKIwDQYJKoZIhvcNAQELBQAwTDEgMB4G
A1UECxMXR2xvYmFsU2lnbiBSb290IENBIC0gUjMxEzARBgNVBAoTCkdsb2JhbFNp
Z24xEzARBgNVBAMTCkdsb2JhbFNpZ24wHhcNMDkwMzE4MTAwMDAwWhcNMjkwMzE4
MTAwMDAwWjBMMSAwHgYDVQQLExdHbG9iYWxTaWduIFJvb3QgQ0EgLSBSMzETMBEG
A1UEChMKR2xvYmFsU2lnbjETMBEGA1UEAxMKR2xvYmFsU2lnbjCCASIwDQYJKoZI
hvcNAQEBBQADggEPADCCAQoCggEBAMwldpB5BngiFvXAg7aEyiie/QV2EcWtiHL8
RgJDx7KKnQRfJMsuS+FggkbhUqsMgUdwbN1k0ev1LKMPgj0MK66X17YUhhB5uzsT
gHeMCOFJ0mpiLx9e+pZo34knlTifBtc+ycsmWQ1z3rDI6SYOgxXG71uL0gRgykmm
KPZpO/bLyCiR5Z2KYVc3rHQU3HTgOu5yLy6c+9C7v/U9AOEGM+iCK65TpjoWc4zd
QQ4gOsC0p6Hpsk+QLjJg6VfLuQSSaGjlOCZgdbKfd/+RFO+uIEn8rUAVSNECMWEZ
XriX7613t2Saer9fwRPvm2L7DWzgVGkWqQPabumDk3F2xmmFghcCAwEAAaNCMEAw
DgYDVR0PAQH/BAQDAgEGMA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0OBBYEFI/wS3+o
LkUkrk1Q+mOai97i3Ru8MA0GCSqGSIb3DQEBCwUAA4IBAQBLQNvAUKr+yAzv95ZU
RUm7lgAJQayzE4aGKAczymvmdLm6AC2upArT9fHxD4q/c2dKg8dEe3jgr25sbwMp
jjM5RcOO5LlXbKr8EpbsU8Yt5CRsuZRj+9xTaGdWPoO4zzUhw8lo/s7awlOqzJCK
6fBdRoyV3XpYKBovHd7NADdBj+1EbddTKJd+82cEHhXXipa0095MJ6RMG3NzdvQX
mcIfeg7jLQitChws/zyrVQ4PkX4268NXSb7hLi18YIvDQVETI53O9zJrlAGomecs
Mx86OyXShkDOOyyGeMlhLxS67ttVb9+E7gUJTb0o2HLO02JQZR7rkpeDMdmztcpH
WD9f
-----END CERTIFICATE-----`, TLSProfiles = {
      RedisCloudFixed: { ca: RedisCloudCA },
      RedisCloudFlexible: { ca: RedisCloudCA }
    };
    exports2.default = TLSProfiles;
  }
});

// ../../../node_modules/ioredis/built/utils/index.js
var require_utils2 = __commonJS({
  "../../../node_modules/ioredis/built/utils/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.noop = exports2.isArguments = exports2.defaults = exports2.Debug = exports2.getPackageMeta = exports2.zipMap = exports2.CONNECTION_CLOSED_ERROR_MSG = exports2.shuffle = exports2.sample = exports2.resolveTLSProfile = exports2.parseURL = exports2.optimizeErrorStack = exports2.toArg = exports2.convertMapToArray = exports2.convertObjectToArray = exports2.timeout = exports2.packObject = exports2.isInt = exports2.wrapMultiResult = exports2.convertBufferToString = void 0;
    var fs_1 = require("fs"), path_1 = require("path"), lodash_1 = require_lodash();
    Object.defineProperty(exports2, "defaults", { enumerable: !0, get: function() {
      return lodash_1.defaults;
    } });
    Object.defineProperty(exports2, "isArguments", { enumerable: !0, get: function() {
      return lodash_1.isArguments;
    } });
    Object.defineProperty(exports2, "noop", { enumerable: !0, get: function() {
      return lodash_1.noop;
    } });
    var debug_1 = require_debug();
    exports2.Debug = debug_1.default;
    var TLSProfiles_1 = require_TLSProfiles();
    function convertBufferToString(value, encoding) {
      if (value instanceof Buffer)
        return value.toString(encoding);
      if (Array.isArray(value)) {
        let length = value.length, res = Array(length);
        for (let i = 0; i < length; ++i)
          res[i] = value[i] instanceof Buffer && encoding === "utf8" ? value[i].toString() : convertBufferToString(value[i], encoding);
        return res;
      }
      return value;
    }
    exports2.convertBufferToString = convertBufferToString;
    function wrapMultiResult(arr) {
      if (!arr)
        return null;
      let result = [], length = arr.length;
      for (let i = 0; i < length; ++i) {
        let item = arr[i];
        item instanceof Error ? result.push([item]) : result.push([null, item]);
      }
      return result;
    }
    exports2.wrapMultiResult = wrapMultiResult;
    function isInt(value) {
      let x = parseFloat(value);
      return !isNaN(value) && (x | 0) === x;
    }
    exports2.isInt = isInt;
    function packObject(array) {
      let result = {}, length = array.length;
      for (let i = 1; i < length; i += 2)
        result[array[i - 1]] = array[i];
      return result;
    }
    exports2.packObject = packObject;
    function timeout2(callback, timeout3) {
      let timer = null, run = function() {
        timer && (clearTimeout(timer), timer = null, callback.apply(this, arguments));
      };
      return timer = setTimeout(run, timeout3, new Error("timeout")), run;
    }
    exports2.timeout = timeout2;
    function convertObjectToArray(obj) {
      let result = [], keys = Object.keys(obj);
      for (let i = 0, l = keys.length; i < l; i++)
        result.push(keys[i], obj[keys[i]]);
      return result;
    }
    exports2.convertObjectToArray = convertObjectToArray;
    function convertMapToArray(map) {
      let result = [], pos = 0;
      return map.forEach(function(value, key) {
        result[pos] = key, result[pos + 1] = value, pos += 2;
      }), result;
    }
    exports2.convertMapToArray = convertMapToArray;
    function toArg(arg) {
      return arg === null || typeof arg > "u" ? "" : String(arg);
    }
    exports2.toArg = toArg;
    function optimizeErrorStack(error, friendlyStack, filterPath) {
      let stacks = friendlyStack.split(`
`), lines = "", i;
      for (i = 1; i < stacks.length && stacks[i].indexOf(filterPath) !== -1; ++i)
        ;
      for (let j = i; j < stacks.length; ++j)
        lines += `
` + stacks[j];
      if (error.stack) {
        let pos = error.stack.indexOf(`
`);
        error.stack = error.stack.slice(0, pos) + lines;
      }
      return error;
    }
    exports2.optimizeErrorStack = optimizeErrorStack;
    function parseURL(url) {
      if (isInt(url))
        return { port: url };
      let rawUrl = url, hasProtocol = /^rediss?:\/\//i.test(rawUrl), isProtocolRelative = rawUrl.startsWith("//");
      if (rawUrl[0] === "/" && !isProtocolRelative) {
        let qIdx = rawUrl.indexOf("?"), result2 = {
          path: qIdx === -1 ? rawUrl : rawUrl.slice(0, qIdx)
        };
        if (qIdx !== -1) {
          let options2 = {};
          new URLSearchParams(rawUrl.slice(qIdx + 1)).forEach((value, key) => {
            options2[key] = parseURLQueryItem(key, value);
          }), (0, lodash_1.defaults)(result2, options2);
        }
        return result2;
      }
      let parsed;
      hasProtocol ? parsed = new URL(rawUrl) : isProtocolRelative ? parsed = new URL("redis:" + rawUrl) : parsed = new URL("redis://" + rawUrl);
      let options = {};
      parsed.searchParams.forEach((value, key) => {
        options[key] = parseURLQueryItem(key, value);
      });
      let result = {};
      return (parsed.username || parsed.password) && (result.username = decodeURIComponent(parsed.username), result.password = decodeURIComponent(parsed.password)), parsed.pathname && parsed.pathname !== "/" && (hasProtocol || isProtocolRelative ? parsed.pathname.length > 1 && (result.db = parsed.pathname.slice(1)) : result.path = parsed.pathname), parsed.hostname && (result.host = parsed.hostname.replace(/^\[|\]$/g, "")), parsed.port && (result.port = parsed.port), (0, lodash_1.defaults)(result, options), result;
    }
    exports2.parseURL = parseURL;
    function parseURLQueryItem(key, value) {
      if (key === "family") {
        let intFamily = Number.parseInt(value, 10);
        if (!Number.isNaN(intFamily))
          return intFamily;
      }
      return value;
    }
    function resolveTLSProfile(options) {
      let tls = options?.tls;
      typeof tls == "string" && (tls = { profile: tls });
      let profile = TLSProfiles_1.default[tls?.profile];
      return profile && (tls = Object.assign({}, profile, tls), delete tls.profile, options = Object.assign({}, options, { tls })), options;
    }
    exports2.resolveTLSProfile = resolveTLSProfile;
    function sample(array, from = 0) {
      let length = array.length;
      return from >= length ? null : array[from + Math.floor(Math.random() * (length - from))];
    }
    exports2.sample = sample;
    function shuffle(array) {
      let counter = array.length;
      for (; counter > 0; ) {
        let index = Math.floor(Math.random() * counter);
        counter--, [array[counter], array[index]] = [array[index], array[counter]];
      }
      return array;
    }
    exports2.shuffle = shuffle;
    exports2.CONNECTION_CLOSED_ERROR_MSG = "Connection is closed.";
    function zipMap(keys, values) {
      let map = /* @__PURE__ */ new Map();
      return keys.forEach((key, index) => {
        map.set(key, values[index]);
      }), map;
    }
    exports2.zipMap = zipMap;
    var cachedPackageMeta = null;
    async function getPackageMeta() {
      if (cachedPackageMeta)
        return cachedPackageMeta;
      try {
        let filePath = (0, path_1.resolve)(__dirname, "..", "..", "package.json"), data = await fs_1.promises.readFile(filePath, "utf8");
        return cachedPackageMeta = {
          version: JSON.parse(data).version
        }, cachedPackageMeta;
      } catch {
        return cachedPackageMeta = {
          version: "error-fetching-version"
        }, cachedPackageMeta;
      }
    }
    exports2.getPackageMeta = getPackageMeta;
  }
});

// ../../../node_modules/ioredis/built/utils/argumentParsers.js
var require_argumentParsers = __commonJS({
  "../../../node_modules/ioredis/built/utils/argumentParsers.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.parseBlockOption = exports2.parseSecondsArgument = void 0;
    var parseNumberArgument = (arg) => {
      if (typeof arg == "number")
        return arg;
      if (Buffer.isBuffer(arg))
        return parseNumberArgument(arg.toString());
      if (typeof arg == "string") {
        let value = Number(arg);
        return Number.isFinite(value) ? value : void 0;
      }
    }, parseStringArgument = (arg) => {
      if (typeof arg == "string")
        return arg;
      if (Buffer.isBuffer(arg))
        return arg.toString();
    }, parseSecondsArgument = (arg) => {
      let value = parseNumberArgument(arg);
      if (value !== void 0)
        return value <= 0 ? 0 : value * 1e3;
    };
    exports2.parseSecondsArgument = parseSecondsArgument;
    var parseBlockOption = (args) => {
      for (let i = 0; i < args.length; i++) {
        let token = parseStringArgument(args[i]);
        if (token && token.toLowerCase() === "block") {
          let duration = parseNumberArgument(args[i + 1]);
          return duration === void 0 ? void 0 : duration <= 0 ? 0 : duration;
        }
      }
      return null;
    };
    exports2.parseBlockOption = parseBlockOption;
  }
});

// ../../../node_modules/ioredis/built/Command.js
var require_Command = __commonJS({
  "../../../node_modules/ioredis/built/Command.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var commands_1 = require_built(), calculateSlot = require_lib(), standard_as_callback_1 = require_built2(), utils_1 = require_utils2(), argumentParsers_1 = require_argumentParsers(), Command = class _Command {
      /**
       * Creates an instance of Command.
       * @param name Command name
       * @param args An array of command arguments
       * @param options
       * @param callback The callback that handles the response.
       * If omit, the response will be handled via Promise
       */
      constructor(name, args = [], options = {}, callback) {
        if (this.name = name, this.inTransaction = !1, this.isTraced = !1, this.isResolved = !1, this.transformed = !1, this.replyEncoding = options.replyEncoding, this.errorStack = options.errorStack, this.args = args.flat(), this.callback = callback, this.initPromise(), options.keyPrefix) {
          let isBufferKeyPrefix = options.keyPrefix instanceof Buffer, keyPrefixBuffer = isBufferKeyPrefix ? options.keyPrefix : null;
          this._iterateKeys((key) => key instanceof Buffer ? (keyPrefixBuffer === null && (keyPrefixBuffer = Buffer.from(options.keyPrefix)), Buffer.concat([keyPrefixBuffer, key])) : isBufferKeyPrefix ? Buffer.concat([options.keyPrefix, Buffer.from(String(key))]) : options.keyPrefix + key);
        }
        options.readOnly && (this.isReadOnly = !0);
      }
      /**
       * Check whether the command has the flag
       */
      static checkFlag(flagName, commandName) {
        return commandName = commandName.toLowerCase(), !!this.getFlagMap()[flagName][commandName];
      }
      static setArgumentTransformer(name, func) {
        this._transformer.argument[name] = func;
      }
      static setReplyTransformer(name, func) {
        this._transformer.reply[name] = func;
      }
      static getFlagMap() {
        return this.flagMap || (this.flagMap = Object.keys(_Command.FLAGS).reduce((map, flagName) => (map[flagName] = {}, _Command.FLAGS[flagName].forEach((commandName) => {
          map[flagName][commandName] = !0;
        }), map), {})), this.flagMap;
      }
      getSlot() {
        if (typeof this.slot > "u") {
          let key = this.getKeys()[0];
          this.slot = key == null ? null : calculateSlot(key);
        }
        return this.slot;
      }
      getKeys() {
        return this._iterateKeys();
      }
      /**
       * Convert command to writable buffer or string
       */
      toWritable(_socket) {
        let result, commandStr = "*" + (this.args.length + 1) + `\r
$` + Buffer.byteLength(this.name) + `\r
` + this.name + `\r
`;
        if (this.bufferMode) {
          let buffers = new MixedBuffers();
          buffers.push(commandStr);
          for (let i = 0; i < this.args.length; ++i) {
            let arg = this.args[i];
            arg instanceof Buffer ? arg.length === 0 ? buffers.push(`$0\r
\r
`) : (buffers.push("$" + arg.length + `\r
`), buffers.push(arg), buffers.push(`\r
`)) : buffers.push("$" + Buffer.byteLength(arg) + `\r
` + arg + `\r
`);
          }
          result = buffers.toBuffer();
        } else {
          result = commandStr;
          for (let i = 0; i < this.args.length; ++i) {
            let arg = this.args[i];
            result += "$" + Buffer.byteLength(arg) + `\r
` + arg + `\r
`;
          }
        }
        return result;
      }
      stringifyArguments() {
        for (let i = 0; i < this.args.length; ++i) {
          let arg = this.args[i];
          typeof arg == "string" || (arg instanceof Buffer ? this.bufferMode = !0 : this.args[i] = (0, utils_1.toArg)(arg));
        }
      }
      /**
       * Convert buffer/buffer[] to string/string[],
       * and apply reply transformer.
       */
      transformReply(result) {
        this.replyEncoding && (result = (0, utils_1.convertBufferToString)(result, this.replyEncoding));
        let transformer = _Command._transformer.reply[this.name];
        return transformer && (result = transformer(result)), result;
      }
      /**
       * Set the wait time before terminating the attempt to execute a command
       * and generating an error.
       */
      setTimeout(ms) {
        this._commandTimeoutTimer || (this._commandTimeoutTimer = setTimeout(() => {
          this.isResolved || this.reject(new Error("Command timed out"));
        }, ms));
      }
      /**
       * Set a timeout for blocking commands.
       * When the timeout expires, the command resolves with null (matching Redis behavior).
       * This handles the case of undetectable network failures (e.g., docker network disconnect)
       * where the TCP connection becomes a zombie and no close event fires.
       */
      setBlockingTimeout(ms) {
        if (ms <= 0)
          return;
        this._blockingTimeoutTimer && (clearTimeout(this._blockingTimeoutTimer), this._blockingTimeoutTimer = void 0);
        let now = Date.now();
        this._blockingDeadline === void 0 && (this._blockingDeadline = now + ms);
        let remaining = this._blockingDeadline - now;
        if (remaining <= 0) {
          this.resolve(null);
          return;
        }
        this._blockingTimeoutTimer = setTimeout(() => {
          if (this.isResolved) {
            this._blockingTimeoutTimer = void 0;
            return;
          }
          this._blockingTimeoutTimer = void 0, this.resolve(null);
        }, remaining);
      }
      /**
       * Extract the blocking timeout from the command arguments.
       *
       * @returns The timeout in seconds, null for indefinite blocking (timeout of 0),
       *          or undefined if this is not a blocking command
       */
      extractBlockingTimeout() {
        let args = this.args;
        if (!args || args.length === 0)
          return;
        let name = this.name.toLowerCase();
        if (_Command.checkFlag("LAST_ARG_TIMEOUT_COMMANDS", name))
          return (0, argumentParsers_1.parseSecondsArgument)(args[args.length - 1]);
        if (_Command.checkFlag("FIRST_ARG_TIMEOUT_COMMANDS", name))
          return (0, argumentParsers_1.parseSecondsArgument)(args[0]);
        if (_Command.checkFlag("BLOCK_OPTION_COMMANDS", name))
          return (0, argumentParsers_1.parseBlockOption)(args);
      }
      /**
       * Clear the command and blocking timers
       */
      _clearTimers() {
        let existingTimer = this._commandTimeoutTimer;
        existingTimer && (clearTimeout(existingTimer), delete this._commandTimeoutTimer);
        let blockingTimer = this._blockingTimeoutTimer;
        blockingTimer && (clearTimeout(blockingTimer), delete this._blockingTimeoutTimer);
      }
      initPromise() {
        let promise = new Promise((resolve, reject) => {
          if (!this.transformed) {
            this.transformed = !0;
            let transformer = _Command._transformer.argument[this.name];
            transformer && (this.args = transformer(this.args)), this.stringifyArguments();
          }
          this.resolve = this._convertValue(resolve), this.reject = (err) => {
            this._clearTimers(), this.errorStack ? reject((0, utils_1.optimizeErrorStack)(err, this.errorStack.stack, __dirname)) : reject(err);
          };
        });
        this.promise = (0, standard_as_callback_1.default)(promise, this.callback);
      }
      /**
       * Iterate through the command arguments that are considered keys.
       */
      _iterateKeys(transform = (key) => key) {
        if (typeof this.keys > "u" && (this.keys = [], (0, commands_1.exists)(this.name, { caseInsensitive: !0 }))) {
          let keyIndexes = (0, commands_1.getKeyIndexes)(this.name, this.args, {
            nameCaseInsensitive: !0
          });
          for (let index of keyIndexes)
            this.args[index] = transform(this.args[index]), this.keys.push(this.args[index]);
        }
        return this.keys;
      }
      /**
       * Convert the value from buffer to the target encoding.
       */
      _convertValue(resolve) {
        return (value) => {
          try {
            this._clearTimers(), resolve(this.transformReply(value)), this.isResolved = !0;
          } catch (err) {
            this.reject(err);
          }
          return this.promise;
        };
      }
    };
    exports2.default = Command;
    Command.FLAGS = {
      VALID_IN_SUBSCRIBER_MODE: [
        "subscribe",
        "psubscribe",
        "unsubscribe",
        "punsubscribe",
        "ssubscribe",
        "sunsubscribe",
        "ping",
        "quit"
      ],
      VALID_IN_MONITOR_MODE: ["monitor", "auth"],
      ENTER_SUBSCRIBER_MODE: ["subscribe", "psubscribe", "ssubscribe"],
      EXIT_SUBSCRIBER_MODE: ["unsubscribe", "punsubscribe", "sunsubscribe"],
      WILL_DISCONNECT: ["quit"],
      HANDSHAKE_COMMANDS: ["auth", "select", "client", "readonly", "info"],
      IGNORE_RECONNECT_ON_ERROR: ["client"],
      BLOCKING_COMMANDS: [
        "blpop",
        "brpop",
        "brpoplpush",
        "blmove",
        "bzpopmin",
        "bzpopmax",
        "bzmpop",
        "blmpop",
        "xread",
        "xreadgroup"
      ],
      LAST_ARG_TIMEOUT_COMMANDS: [
        "blpop",
        "brpop",
        "brpoplpush",
        "blmove",
        "bzpopmin",
        "bzpopmax"
      ],
      FIRST_ARG_TIMEOUT_COMMANDS: ["bzmpop", "blmpop"],
      BLOCK_OPTION_COMMANDS: ["xread", "xreadgroup"]
    };
    Command._transformer = {
      argument: {},
      reply: {}
    };
    var msetArgumentTransformer = function(args) {
      if (args.length === 1) {
        if (args[0] instanceof Map)
          return (0, utils_1.convertMapToArray)(args[0]);
        if (typeof args[0] == "object" && args[0] !== null)
          return (0, utils_1.convertObjectToArray)(args[0]);
      }
      return args;
    }, hsetArgumentTransformer = function(args) {
      if (args.length === 2) {
        if (args[1] instanceof Map)
          return [args[0]].concat((0, utils_1.convertMapToArray)(args[1]));
        if (typeof args[1] == "object" && args[1] !== null)
          return [args[0]].concat((0, utils_1.convertObjectToArray)(args[1]));
      }
      return args;
    };
    Command.setArgumentTransformer("mset", msetArgumentTransformer);
    Command.setArgumentTransformer("msetnx", msetArgumentTransformer);
    Command.setArgumentTransformer("hset", hsetArgumentTransformer);
    Command.setArgumentTransformer("hmset", hsetArgumentTransformer);
    Command.setReplyTransformer("hgetall", function(result) {
      if (Array.isArray(result)) {
        let obj = {};
        for (let i = 0; i < result.length; i += 2) {
          let key = result[i], value = result[i + 1];
          key in obj ? Object.defineProperty(obj, key, {
            value,
            configurable: !0,
            enumerable: !0,
            writable: !0
          }) : obj[key] = value;
        }
        return obj;
      }
      return result;
    });
    var MixedBuffers = class {
      constructor() {
        this.length = 0, this.items = [];
      }
      push(x) {
        this.length += Buffer.byteLength(x), this.items.push(x);
      }
      toBuffer() {
        let result = Buffer.allocUnsafe(this.length), offset = 0;
        for (let item of this.items) {
          let length = Buffer.byteLength(item);
          Buffer.isBuffer(item) ? item.copy(result, offset) : result.write(item, offset, length), offset += length;
        }
        return result;
      }
    };
  }
});

// ../../../node_modules/ioredis/built/errors/ClusterAllFailedError.js
var require_ClusterAllFailedError = __commonJS({
  "../../../node_modules/ioredis/built/errors/ClusterAllFailedError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var redis_errors_1 = require_redis_errors(), ClusterAllFailedError = class extends redis_errors_1.RedisError {
      constructor(message, lastNodeError) {
        super(message), this.lastNodeError = lastNodeError, Error.captureStackTrace(this, this.constructor);
      }
      get name() {
        return this.constructor.name;
      }
    };
    exports2.default = ClusterAllFailedError;
    ClusterAllFailedError.defaultMessage = "Failed to refresh slots cache.";
  }
});

// ../../../node_modules/ioredis/built/ScanStream.js
var require_ScanStream = __commonJS({
  "../../../node_modules/ioredis/built/ScanStream.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var stream_1 = require("stream"), ScanStream = class extends stream_1.Readable {
      constructor(opt) {
        super(opt), this.opt = opt, this._redisCursor = "0", this._redisDrained = !1;
      }
      _read() {
        if (this._redisDrained) {
          this.push(null);
          return;
        }
        let args = [this._redisCursor];
        this.opt.key && args.unshift(this.opt.key), this.opt.match && args.push("MATCH", this.opt.match), this.opt.type && args.push("TYPE", this.opt.type), this.opt.count && args.push("COUNT", String(this.opt.count)), this.opt.noValues && args.push("NOVALUES"), this.opt.redis[this.opt.command](args, (err, res) => {
          if (err) {
            this.emit("error", err);
            return;
          }
          this._redisCursor = res[0] instanceof Buffer ? res[0].toString() : res[0], this._redisCursor === "0" && (this._redisDrained = !0), this.push(res[1]);
        });
      }
      close() {
        this._redisDrained = !0;
      }
    };
    exports2.default = ScanStream;
  }
});

// ../../../node_modules/ioredis/built/autoPipelining.js
var require_autoPipelining = __commonJS({
  "../../../node_modules/ioredis/built/autoPipelining.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.executeWithAutoPipelining = exports2.getFirstValueInFlattenedArray = exports2.shouldUseAutoPipelining = exports2.notAllowedAutoPipelineCommands = exports2.kCallbacks = exports2.kExec = void 0;
    var lodash_1 = require_lodash(), calculateSlot = require_lib(), standard_as_callback_1 = require_built2(), commands_1 = require_built();
    exports2.kExec = /* @__PURE__ */ Symbol("exec");
    exports2.kCallbacks = /* @__PURE__ */ Symbol("callbacks");
    exports2.notAllowedAutoPipelineCommands = [
      "auth",
      "info",
      "script",
      "quit",
      "cluster",
      "pipeline",
      "multi",
      "subscribe",
      "psubscribe",
      "unsubscribe",
      "unpsubscribe",
      "select",
      "client"
    ];
    function executeAutoPipeline(client, slotKey) {
      if (client._runningAutoPipelines.has(slotKey) || !client._autoPipelines.has(slotKey))
        return;
      client._runningAutoPipelines.add(slotKey);
      let pipeline = client._autoPipelines.get(slotKey);
      client._autoPipelines.delete(slotKey);
      let callbacks = pipeline[exports2.kCallbacks];
      pipeline[exports2.kCallbacks] = null, pipeline.exec(function(err, results) {
        if (client._runningAutoPipelines.delete(slotKey), err)
          for (let i = 0; i < callbacks.length; i++)
            process.nextTick(callbacks[i], err);
        else
          for (let i = 0; i < callbacks.length; i++)
            process.nextTick(callbacks[i], ...results[i]);
        client._autoPipelines.has(slotKey) && executeAutoPipeline(client, slotKey);
      });
    }
    function shouldUseAutoPipelining(client, functionName, commandName) {
      return functionName && client.options.enableAutoPipelining && !client.isPipeline && !exports2.notAllowedAutoPipelineCommands.includes(commandName) && !client.options.autoPipeliningIgnoredCommands.includes(commandName);
    }
    exports2.shouldUseAutoPipelining = shouldUseAutoPipelining;
    function getFirstValueInFlattenedArray(args) {
      for (let i = 0; i < args.length; i++) {
        let arg = args[i];
        if (typeof arg == "string")
          return arg;
        if (Array.isArray(arg) || (0, lodash_1.isArguments)(arg)) {
          if (arg.length === 0)
            continue;
          return arg[0];
        }
        let flattened = [arg].flat();
        if (flattened.length > 0)
          return flattened[0];
      }
    }
    exports2.getFirstValueInFlattenedArray = getFirstValueInFlattenedArray;
    function getFirstKeyForCommand(commandName, args) {
      if ((0, commands_1.exists)(commandName, { caseInsensitive: !0 })) {
        let flattenedArgs = args.flat(), keyIndexes = (0, commands_1.getKeyIndexes)(commandName, flattenedArgs, {
          nameCaseInsensitive: !0
        });
        if (keyIndexes.length)
          return flattenedArgs[keyIndexes[0]];
      }
      return getFirstValueInFlattenedArray(args);
    }
    function executeWithAutoPipelining(client, functionName, commandName, args, callback) {
      if (client.isCluster && !client.slots.length)
        return client.status === "wait" && client.connect().catch(lodash_1.noop), (0, standard_as_callback_1.default)(new Promise(function(resolve, reject) {
          client.delayUntilReady((err) => {
            if (err) {
              reject(err);
              return;
            }
            executeWithAutoPipelining(client, functionName, commandName, args, null).then(resolve, reject);
          });
        }), callback);
      let prefix = client.options.keyPrefix || "", slotKey = client.isCluster ? client.slots[calculateSlot(`${prefix}${getFirstKeyForCommand(commandName, args)}`)].join(",") : "main";
      if (client.isCluster && client.options.scaleReads !== "master") {
        let isReadOnly = (0, commands_1.exists)(commandName) && (0, commands_1.hasFlag)(commandName, "readonly");
        slotKey += isReadOnly ? ":read" : ":write";
      }
      if (!client._autoPipelines.has(slotKey)) {
        let pipeline2 = client.pipeline();
        pipeline2[exports2.kExec] = !1, pipeline2[exports2.kCallbacks] = [], client._autoPipelines.set(slotKey, pipeline2);
      }
      let pipeline = client._autoPipelines.get(slotKey);
      pipeline[exports2.kExec] || (pipeline[exports2.kExec] = !0, setImmediate(executeAutoPipeline, client, slotKey));
      let autoPipelinePromise = new Promise(function(resolve, reject) {
        pipeline[exports2.kCallbacks].push(function(err, value) {
          if (err) {
            reject(err);
            return;
          }
          resolve(value);
        }), functionName === "call" && args.unshift(commandName), pipeline[functionName](...args);
      });
      return (0, standard_as_callback_1.default)(autoPipelinePromise, callback);
    }
    exports2.executeWithAutoPipelining = executeWithAutoPipelining;
  }
});

// ../../../node_modules/ioredis/built/Script.js
var require_Script = __commonJS({
  "../../../node_modules/ioredis/built/Script.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var crypto_1 = require("crypto"), Command_1 = require_Command(), standard_as_callback_1 = require_built2(), Script = class {
      constructor(lua, numberOfKeys = null, keyPrefix = "", readOnly = !1) {
        this.lua = lua, this.numberOfKeys = numberOfKeys, this.keyPrefix = keyPrefix, this.readOnly = readOnly, this.sha = (0, crypto_1.createHash)("sha1").update(lua).digest("hex");
        let sha = this.sha, socketHasScriptLoaded = /* @__PURE__ */ new WeakSet();
        this.Command = class extends Command_1.default {
          toWritable(socket) {
            let origReject = this.reject;
            return this.reject = (err) => {
              err.message.indexOf("NOSCRIPT") !== -1 && socketHasScriptLoaded.delete(socket), origReject.call(this, err);
            }, socketHasScriptLoaded.has(socket) ? this.name === "eval" && (this.name = "evalsha", this.args[0] = sha) : (socketHasScriptLoaded.add(socket), this.name = "eval", this.args[0] = lua), super.toWritable(socket);
          }
        };
      }
      execute(container, args, options, callback) {
        typeof this.numberOfKeys == "number" && args.unshift(this.numberOfKeys), this.keyPrefix && (options.keyPrefix = this.keyPrefix), this.readOnly && (options.readOnly = !0);
        let evalsha = new this.Command("evalsha", [this.sha, ...args], options);
        return evalsha.promise = evalsha.promise.catch((err) => {
          if (err.message.indexOf("NOSCRIPT") === -1)
            throw err;
          let resend = new this.Command("evalsha", [this.sha, ...args], options);
          return (container.isPipeline ? container.redis : container).sendCommand(resend);
        }), (0, standard_as_callback_1.default)(evalsha.promise, callback), container.sendCommand(evalsha);
      }
    };
    exports2.default = Script;
  }
});

// ../../../node_modules/ioredis/built/utils/Commander.js
var require_Commander = __commonJS({
  "../../../node_modules/ioredis/built/utils/Commander.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var commands_1 = require_built(), autoPipelining_1 = require_autoPipelining(), Command_1 = require_Command(), Script_1 = require_Script(), Commander = class {
      constructor() {
        this.options = {}, this.scriptsSet = {}, this.addedBuiltinSet = /* @__PURE__ */ new Set();
      }
      /**
       * Return supported builtin commands
       */
      getBuiltinCommands() {
        return commands.slice(0);
      }
      /**
       * Create a builtin command
       */
      createBuiltinCommand(commandName) {
        return {
          string: generateFunction(null, commandName, "utf8"),
          buffer: generateFunction(null, commandName, null)
        };
      }
      /**
       * Create add builtin command
       */
      addBuiltinCommand(commandName) {
        this.addedBuiltinSet.add(commandName), this[commandName] = generateFunction(commandName, commandName, "utf8"), this[commandName + "Buffer"] = generateFunction(commandName + "Buffer", commandName, null);
      }
      /**
       * Define a custom command using lua script
       */
      defineCommand(name, definition) {
        let script = new Script_1.default(definition.lua, definition.numberOfKeys, this.options.keyPrefix, definition.readOnly);
        this.scriptsSet[name] = script, this[name] = generateScriptingFunction(name, name, script, "utf8"), this[name + "Buffer"] = generateScriptingFunction(name + "Buffer", name, script, null);
      }
      /**
       * @ignore
       */
      sendCommand(command, stream, node) {
        throw new Error('"sendCommand" is not implemented');
      }
    }, commands = commands_1.list.filter((command) => command !== "monitor");
    commands.push("sentinel");
    commands.forEach(function(commandName) {
      Commander.prototype[commandName] = generateFunction(commandName, commandName, "utf8"), Commander.prototype[commandName + "Buffer"] = generateFunction(commandName + "Buffer", commandName, null);
    });
    Commander.prototype.call = generateFunction("call", "utf8");
    Commander.prototype.callBuffer = generateFunction("callBuffer", null);
    Commander.prototype.send_command = Commander.prototype.call;
    function generateFunction(functionName, _commandName, _encoding) {
      return typeof _encoding > "u" && (_encoding = _commandName, _commandName = null), function(...args) {
        let commandName = _commandName || args.shift(), callback = args[args.length - 1];
        typeof callback == "function" ? args.pop() : callback = void 0;
        let options = {
          errorStack: this.options.showFriendlyErrorStack ? new Error() : void 0,
          keyPrefix: this.options.keyPrefix,
          replyEncoding: _encoding
        };
        return (0, autoPipelining_1.shouldUseAutoPipelining)(this, functionName, commandName) ? (0, autoPipelining_1.executeWithAutoPipelining)(
          this,
          functionName,
          commandName,
          // @ts-expect-error
          args,
          callback
        ) : this.sendCommand(
          // @ts-expect-error
          new Command_1.default(commandName, args, options, callback)
        );
      };
    }
    function generateScriptingFunction(functionName, commandName, script, encoding) {
      return function(...args) {
        let callback = typeof args[args.length - 1] == "function" ? args.pop() : void 0, options = {
          replyEncoding: encoding
        };
        return this.options.showFriendlyErrorStack && (options.errorStack = new Error()), (0, autoPipelining_1.shouldUseAutoPipelining)(this, functionName, commandName) ? (0, autoPipelining_1.executeWithAutoPipelining)(this, functionName, commandName, args, callback) : script.execute(this, args, options, callback);
      };
    }
    exports2.default = Commander;
  }
});

// ../../../node_modules/ioredis/built/Pipeline.js
var require_Pipeline = __commonJS({
  "../../../node_modules/ioredis/built/Pipeline.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var calculateSlot = require_lib(), commands_1 = require_built(), standard_as_callback_1 = require_built2(), util_1 = require("util"), Command_1 = require_Command(), buffer_1 = require("buffer"), utils_1 = require_utils2(), Commander_1 = require_Commander();
    function generateMultiWithNodes(redis, keys) {
      let slot = calculateSlot(keys[0]), target = redis._groupsBySlot[slot];
      for (let i = 1; i < keys.length; i++)
        if (redis._groupsBySlot[calculateSlot(keys[i])] !== target)
          return -1;
      return slot;
    }
    var Pipeline = class extends Commander_1.default {
      constructor(redis) {
        super(), this.redis = redis, this.isPipeline = !0, this.replyPending = 0, this._queue = [], this._result = [], this._transactions = 0, this._shaToScript = {}, this.isCluster = this.redis.constructor.name === "Cluster" || this.redis.isCluster, this.options = redis.options, Object.keys(redis.scriptsSet).forEach((name) => {
          let script = redis.scriptsSet[name];
          this._shaToScript[script.sha] = script, this[name] = redis[name], this[name + "Buffer"] = redis[name + "Buffer"];
        }), redis.addedBuiltinSet.forEach((name) => {
          this[name] = redis[name], this[name + "Buffer"] = redis[name + "Buffer"];
        }), this.promise = new Promise((resolve, reject) => {
          this.resolve = resolve, this.reject = reject;
        });
        let _this = this;
        Object.defineProperty(this, "length", {
          get: function() {
            return _this._queue.length;
          }
        });
      }
      fillResult(value, position) {
        if (this._queue[position].name === "exec" && Array.isArray(value[1])) {
          let execLength = value[1].length;
          for (let i = 0; i < execLength; i++) {
            if (value[1][i] instanceof Error)
              continue;
            let cmd = this._queue[position - (execLength - i)];
            try {
              value[1][i] = cmd.transformReply(value[1][i]);
            } catch (err) {
              value[1][i] = err;
            }
          }
        }
        if (this._result[position] = value, --this.replyPending)
          return;
        if (this.isCluster) {
          let retriable = !0, commonError;
          for (let i = 0; i < this._result.length; ++i) {
            let error = this._result[i][0], command = this._queue[i];
            if (error) {
              if (command.name === "exec" && error.message === "EXECABORT Transaction discarded because of previous errors.")
                continue;
              if (!commonError)
                commonError = {
                  name: error.name,
                  message: error.message
                };
              else if (commonError.name !== error.name || commonError.message !== error.message) {
                retriable = !1;
                break;
              }
            } else if (!command.inTransaction && !((0, commands_1.exists)(command.name, { caseInsensitive: !0 }) && (0, commands_1.hasFlag)(command.name, "readonly", { nameCaseInsensitive: !0 }))) {
              retriable = !1;
              break;
            }
          }
          if (commonError && retriable) {
            let _this = this, errv = commonError.message.split(" "), queue = this._queue, inTransaction = !1;
            this._queue = [];
            for (let i = 0; i < queue.length; ++i) {
              if (errv[0] === "ASK" && !inTransaction && queue[i].name !== "asking" && (!queue[i - 1] || queue[i - 1].name !== "asking")) {
                let asking = new Command_1.default("asking");
                asking.ignore = !0, this.sendCommand(asking);
              }
              queue[i].initPromise(), this.sendCommand(queue[i]), inTransaction = queue[i].inTransaction;
            }
            let matched = !0;
            typeof this.leftRedirections > "u" && (this.leftRedirections = {});
            let exec = function() {
              _this.exec();
            }, cluster = this.redis;
            if (cluster.handleError(commonError, this.leftRedirections, {
              moved: function(_slot, key) {
                _this.preferKey = key, cluster.slots[errv[1]] ? cluster.slots[errv[1]][0] !== key && (cluster.slots[errv[1]] = [key]) : cluster.slots[errv[1]] = [key], cluster._groupsBySlot[errv[1]] = cluster._groupsIds[cluster.slots[errv[1]].join(";")], cluster.refreshSlotsCache(), _this.exec();
              },
              ask: function(_slot, key) {
                _this.preferKey = key, _this.exec();
              },
              tryagain: exec,
              clusterDown: exec,
              connectionClosed: exec,
              maxRedirections: () => {
                matched = !1;
              },
              defaults: () => {
                matched = !1;
              }
            }), matched)
              return;
          }
        }
        let ignoredCount = 0;
        for (let i = 0; i < this._queue.length - ignoredCount; ++i)
          this._queue[i + ignoredCount].ignore && (ignoredCount += 1), this._result[i] = this._result[i + ignoredCount];
        this.resolve(this._result.slice(0, this._result.length - ignoredCount));
      }
      sendCommand(command) {
        this._transactions > 0 && (command.inTransaction = !0);
        let position = this._queue.length;
        return command.pipelineIndex = position, command.promise.then((result) => {
          this.fillResult([null, result], position);
        }).catch((error) => {
          this.fillResult([error], position);
        }), this._queue.push(command), this;
      }
      addBatch(commands) {
        let command, commandName, args;
        for (let i = 0; i < commands.length; ++i)
          command = commands[i], commandName = command[0], args = command.slice(1), this[commandName].apply(this, args);
        return this;
      }
    };
    exports2.default = Pipeline;
    var multi = Pipeline.prototype.multi;
    Pipeline.prototype.multi = function() {
      return this._transactions += 1, multi.apply(this, arguments);
    };
    var execBuffer = Pipeline.prototype.execBuffer;
    Pipeline.prototype.execBuffer = (0, util_1.deprecate)(function() {
      return this._transactions > 0 && (this._transactions -= 1), execBuffer.apply(this, arguments);
    }, "Pipeline#execBuffer: Use Pipeline#exec instead");
    Pipeline.prototype.exec = function(callback) {
      if (this.isCluster && !this.redis.slots.length)
        return this.redis.status === "wait" && this.redis.connect().catch(utils_1.noop), callback && !this.nodeifiedPromise && (this.nodeifiedPromise = !0, (0, standard_as_callback_1.default)(this.promise, callback)), this.redis.delayUntilReady((err) => {
          if (err) {
            this.reject(err);
            return;
          }
          this.exec(callback);
        }), this.promise;
      if (this._transactions > 0)
        return this._transactions -= 1, execBuffer.apply(this, arguments);
      this.nodeifiedPromise || (this.nodeifiedPromise = !0, (0, standard_as_callback_1.default)(this.promise, callback)), this._queue.length || this.resolve([]);
      let pipelineSlot;
      if (this.isCluster) {
        let sampleKeys = [];
        for (let i = 0; i < this._queue.length; i++) {
          let keys = this._queue[i].getKeys();
          if (keys.length && sampleKeys.push(keys[0]), keys.length && calculateSlot.generateMulti(keys) < 0)
            return this.reject(new Error("All the keys in a pipeline command should belong to the same slot")), this.promise;
        }
        if (sampleKeys.length) {
          if (pipelineSlot = generateMultiWithNodes(this.redis, sampleKeys), pipelineSlot < 0)
            return this.reject(new Error("All keys in the pipeline should belong to the same slots allocation group")), this.promise;
        } else
          pipelineSlot = Math.random() * 16384 | 0;
      }
      let _this = this;
      return execPipeline(), this.promise;
      function execPipeline() {
        let writePending = _this.replyPending = _this._queue.length, node;
        _this.isCluster && (node = {
          slot: pipelineSlot,
          redis: _this.redis.connectionPool.nodes.all[_this.preferKey]
        });
        let data = "", buffers, stream = {
          isPipeline: !0,
          destination: _this.isCluster ? node : { redis: _this.redis },
          write(writable) {
            typeof writable != "string" ? (buffers || (buffers = []), data && (buffers.push(Buffer.from(data, "utf8")), data = ""), buffers.push(writable)) : (data.length + writable.length >= buffer_1.constants.MAX_STRING_LENGTH && (buffers || (buffers = []), data && (buffers.push(Buffer.from(data, "utf8")), data = "")), data += writable), --writePending || (buffers ? (data && buffers.push(Buffer.from(data, "utf8")), stream.destination.redis.stream.write(Buffer.concat(buffers))) : stream.destination.redis.stream.write(data), writePending = _this._queue.length, data = "", buffers = void 0);
          }
        };
        for (let i = 0; i < _this._queue.length; ++i)
          _this.redis.sendCommand(_this._queue[i], stream, node);
        return _this.promise;
      }
    };
  }
});

// ../../../node_modules/ioredis/built/tracing.js
var require_tracing = __commonJS({
  "../../../node_modules/ioredis/built/tracing.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.traceConnect = exports2.traceBatch = exports2.traceCommand = exports2.sanitizeArgs = void 0;
    var SERIALIZATION_SUBSETS = [
      { regex: /^ECHO/i, args: 0 },
      {
        regex: /^(LPUSH|MSET|PFA|PUBLISH|RPUSH|SADD|SET|SPUBLISH|XADD|ZADD)/i,
        args: 1
      },
      { regex: /^(HSET|HMSET|LSET|LINSERT)/i, args: 2 },
      {
        regex: /^(ACL|BIT|B[LRZ]|CLIENT|CLUSTER|CONFIG|COMMAND|DECR|DEL|EVAL|EX|FUNCTION|GEO|GET|HINCR|HMGET|HSCAN|INCR|L[TRLM]|MEMORY|P[EFISTU]|RPOP|S[CDIMORSU]|XACK|X[CDGILPRT]|Z[CDILMPRS])/i,
        args: -1
      }
    ];
    function sanitizeArgs(commandName, args) {
      let allowedArgCount = 0;
      for (let subset of SERIALIZATION_SUBSETS)
        if (subset.regex.test(commandName)) {
          allowedArgCount = subset.args;
          break;
        }
      if (allowedArgCount === -1)
        return args.map((a) => String(a));
      let result = [];
      for (let i = 0; i < args.length; i++)
        i < allowedArgCount ? result.push(String(args[i])) : result.push("?");
      return result;
    }
    exports2.sanitizeArgs = sanitizeArgs;
    var dc = (() => {
      try {
        return "getBuiltinModule" in process ? process.getBuiltinModule("node:diagnostics_channel") : require("node:diagnostics_channel");
      } catch {
        return;
      }
    })(), hasTracingChannel = dc && typeof dc.tracingChannel == "function", commandChannel = hasTracingChannel ? dc.tracingChannel("ioredis:command") : void 0, batchChannel = hasTracingChannel ? dc.tracingChannel("ioredis:batch") : void 0, connectChannel = hasTracingChannel ? dc.tracingChannel("ioredis:connect") : void 0;
    function shouldTrace(channel) {
      return !!channel && channel.hasSubscribers !== !1;
    }
    var noop = () => {
    };
    function traceCommand(fn, contextFactory) {
      if (!shouldTrace(commandChannel))
        return fn();
      let traced = commandChannel.tracePromise(fn, contextFactory());
      return traced.catch(noop), traced;
    }
    exports2.traceCommand = traceCommand;
    function traceBatch(fn, contextFactory) {
      if (!shouldTrace(batchChannel))
        return fn();
      let traced = batchChannel.tracePromise(fn, contextFactory());
      return traced.catch(noop), traced;
    }
    exports2.traceBatch = traceBatch;
    function traceConnect(fn, contextFactory) {
      return shouldTrace(connectChannel) ? connectChannel.tracePromise(fn, contextFactory()) : fn();
    }
    exports2.traceConnect = traceConnect;
  }
});

// ../../../node_modules/ioredis/built/transaction.js
var require_transaction = __commonJS({
  "../../../node_modules/ioredis/built/transaction.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.addTransactionSupport = void 0;
    var utils_1 = require_utils2(), standard_as_callback_1 = require_built2(), Pipeline_1 = require_Pipeline(), tracing_1 = require_tracing();
    function addTransactionSupport(redis) {
      redis.pipeline = function(commands) {
        let pipeline = new Pipeline_1.default(this);
        return Array.isArray(commands) && pipeline.addBatch(commands), pipeline;
      };
      let { multi } = redis;
      redis.multi = function(commands, options) {
        if (typeof options > "u" && !Array.isArray(commands) && (options = commands, commands = null), options && options.pipeline === !1)
          return multi.call(this);
        let pipeline = new Pipeline_1.default(this);
        pipeline.multi(), Array.isArray(commands) && pipeline.addBatch(commands);
        let exec2 = pipeline.exec;
        pipeline.exec = function(callback) {
          if (this.isCluster && !this.redis.slots.length)
            return this.redis.status === "wait" && this.redis.connect().catch(utils_1.noop), (0, standard_as_callback_1.default)(new Promise((resolve, reject) => {
              this.redis.delayUntilReady((err) => {
                if (err) {
                  reject(err);
                  return;
                }
                this.exec(pipeline).then(resolve, reject);
              });
            }), callback);
          if (this._transactions > 0 && exec2.call(pipeline), this.nodeifiedPromise)
            return exec2.call(pipeline);
          let batchSize = Math.max(pipeline.length - 2, 0), execAndUnwrap = () => exec2.call(pipeline).then(function(result) {
            let execResult = result[result.length - 1];
            if (typeof execResult > "u")
              throw new Error("Pipeline cannot be used to send any commands when the `exec()` has been called on it.");
            if (execResult[0]) {
              execResult[0].previousErrors = [];
              for (let i = 0; i < result.length - 1; ++i)
                result[i][0] && execResult[0].previousErrors.push(result[i][0]);
              throw execResult[0];
            }
            return (0, utils_1.wrapMultiResult)(execResult[1]);
          }), promise = "_buildBatchContext" in this.redis ? (0, tracing_1.traceBatch)(execAndUnwrap, () => this.redis._buildBatchContext(batchSize)) : execAndUnwrap();
          return (0, standard_as_callback_1.default)(promise, callback);
        };
        let { execBuffer } = pipeline;
        return pipeline.execBuffer = function(callback) {
          return this._transactions > 0 && execBuffer.call(pipeline), pipeline.exec(callback);
        }, pipeline;
      };
      let { exec } = redis;
      redis.exec = function(callback) {
        return (0, standard_as_callback_1.default)(exec.call(this).then(function(results) {
          return Array.isArray(results) && (results = (0, utils_1.wrapMultiResult)(results)), results;
        }), callback);
      };
    }
    exports2.addTransactionSupport = addTransactionSupport;
  }
});

// ../../../node_modules/ioredis/built/utils/applyMixin.js
var require_applyMixin = __commonJS({
  "../../../node_modules/ioredis/built/utils/applyMixin.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    function applyMixin(derivedConstructor, mixinConstructor) {
      Object.getOwnPropertyNames(mixinConstructor.prototype).forEach((name) => {
        Object.defineProperty(derivedConstructor.prototype, name, Object.getOwnPropertyDescriptor(mixinConstructor.prototype, name));
      });
    }
    exports2.default = applyMixin;
  }
});

// ../../../node_modules/ioredis/built/cluster/ClusterOptions.js
var require_ClusterOptions = __commonJS({
  "../../../node_modules/ioredis/built/cluster/ClusterOptions.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.DEFAULT_CLUSTER_OPTIONS = void 0;
    var dns_1 = require("dns");
    exports2.DEFAULT_CLUSTER_OPTIONS = {
      clusterRetryStrategy: (times) => Math.min(100 + times * 2, 2e3),
      clusterNodeRetryStrategy: null,
      enableOfflineQueue: !0,
      enableReadyCheck: !0,
      scaleReads: "master",
      maxRedirections: 16,
      retryDelayOnMoved: 0,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 1e3,
      useSRVRecords: !1,
      resolveSrv: dns_1.resolveSrv,
      dnsLookup: dns_1.lookup,
      enableAutoPipelining: !1,
      autoPipeliningIgnoredCommands: [],
      shardedSubscribers: !1
    };
  }
});

// ../../../node_modules/ioredis/built/cluster/util.js
var require_util = __commonJS({
  "../../../node_modules/ioredis/built/cluster/util.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.getConnectionName = exports2.weightSrvRecords = exports2.groupSrvRecords = exports2.getUniqueHostnamesFromOptions = exports2.normalizeNodeOptions = exports2.nodeKeyToRedisOptions = exports2.getNodeKey = void 0;
    var utils_1 = require_utils2(), net_1 = require("net");
    function getNodeKey(node) {
      return node.port = node.port || 6379, node.host = node.host || "127.0.0.1", node.host + ":" + node.port;
    }
    exports2.getNodeKey = getNodeKey;
    function nodeKeyToRedisOptions(nodeKey) {
      let portIndex = nodeKey.lastIndexOf(":");
      if (portIndex === -1)
        throw new Error(`Invalid node key ${nodeKey}`);
      return {
        host: nodeKey.slice(0, portIndex),
        port: Number(nodeKey.slice(portIndex + 1))
      };
    }
    exports2.nodeKeyToRedisOptions = nodeKeyToRedisOptions;
    function normalizeNodeOptions(nodes) {
      return nodes.map((node) => {
        let options = {};
        if (typeof node == "object")
          Object.assign(options, node);
        else if (typeof node == "string")
          Object.assign(options, (0, utils_1.parseURL)(node));
        else if (typeof node == "number")
          options.port = node;
        else
          throw new Error("Invalid argument " + node);
        return typeof options.port == "string" && (options.port = parseInt(options.port, 10)), delete options.db, options.port || (options.port = 6379), options.host || (options.host = "127.0.0.1"), (0, utils_1.resolveTLSProfile)(options);
      });
    }
    exports2.normalizeNodeOptions = normalizeNodeOptions;
    function getUniqueHostnamesFromOptions(nodes) {
      let uniqueHostsMap = {};
      return nodes.forEach((node) => {
        uniqueHostsMap[node.host] = !0;
      }), Object.keys(uniqueHostsMap).filter((host) => !(0, net_1.isIP)(host));
    }
    exports2.getUniqueHostnamesFromOptions = getUniqueHostnamesFromOptions;
    function groupSrvRecords(records) {
      let recordsByPriority = {};
      for (let record of records)
        recordsByPriority.hasOwnProperty(record.priority) ? (recordsByPriority[record.priority].totalWeight += record.weight, recordsByPriority[record.priority].records.push(record)) : recordsByPriority[record.priority] = {
          totalWeight: record.weight,
          records: [record]
        };
      return recordsByPriority;
    }
    exports2.groupSrvRecords = groupSrvRecords;
    function weightSrvRecords(recordsGroup) {
      if (recordsGroup.records.length === 1)
        return recordsGroup.totalWeight = 0, recordsGroup.records.shift();
      let random = Math.floor(Math.random() * (recordsGroup.totalWeight + recordsGroup.records.length)), total = 0;
      for (let [i, record] of recordsGroup.records.entries())
        if (total += 1 + record.weight, total > random)
          return recordsGroup.totalWeight -= record.weight, recordsGroup.records.splice(i, 1), record;
    }
    exports2.weightSrvRecords = weightSrvRecords;
    function getConnectionName(component, nodeConnectionName) {
      let prefix = `ioredis-cluster(${component})`;
      return nodeConnectionName ? `${prefix}:${nodeConnectionName}` : prefix;
    }
    exports2.getConnectionName = getConnectionName;
  }
});

// ../../../node_modules/ioredis/built/cluster/ClusterSubscriber.js
var require_ClusterSubscriber = __commonJS({
  "../../../node_modules/ioredis/built/cluster/ClusterSubscriber.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var util_1 = require_util(), utils_1 = require_utils2(), Redis_1 = require_Redis(), debug = (0, utils_1.Debug)("cluster:subscriber"), ClusterSubscriber = class {
      constructor(connectionPool, emitter, isSharded = !1) {
        this.connectionPool = connectionPool, this.emitter = emitter, this.isSharded = isSharded, this.started = !1, this.subscriber = null, this.slotRange = [], this.onSubscriberEnd = () => {
          if (!this.started) {
            debug("subscriber has disconnected, but ClusterSubscriber is not started, so not reconnecting.");
            return;
          }
          debug("subscriber has disconnected, selecting a new one..."), this.selectSubscriber();
        }, this.connectionPool.on("-node", (_, key) => {
          !this.started || !this.subscriber || (0, util_1.getNodeKey)(this.subscriber.options) === key && (debug("subscriber has left, selecting a new one..."), this.selectSubscriber());
        }), this.connectionPool.on("+node", () => {
          !this.started || this.subscriber || (debug("a new node is discovered and there is no subscriber, selecting a new one..."), this.selectSubscriber());
        });
      }
      getInstance() {
        return this.subscriber;
      }
      /**
       * Associate this subscriber to a specific slot range.
       *
       * Returns the range or an empty array if the slot range couldn't be associated.
       *
       * BTW: This is more for debugging and testing purposes.
       *
       * @param range
       */
      associateSlotRange(range) {
        return this.isSharded && (this.slotRange = range), this.slotRange;
      }
      start() {
        this.started = !0, this.selectSubscriber(), debug("started");
      }
      stop() {
        this.started = !1, this.subscriber && (this.subscriber.disconnect(), this.subscriber = null);
      }
      isStarted() {
        return this.started;
      }
      selectSubscriber() {
        let lastActiveSubscriber = this.lastActiveSubscriber;
        lastActiveSubscriber && (lastActiveSubscriber.off("end", this.onSubscriberEnd), lastActiveSubscriber.disconnect()), this.subscriber && (this.subscriber.off("end", this.onSubscriberEnd), this.subscriber.disconnect());
        let sampleNode = (0, utils_1.sample)(this.connectionPool.getNodes());
        if (!sampleNode) {
          debug("selecting subscriber failed since there is no node discovered in the cluster yet"), this.subscriber = null;
          return;
        }
        let { options } = sampleNode;
        debug("selected a subscriber %s:%s", options.host, options.port);
        let connectionPrefix = "subscriber";
        this.isSharded && (connectionPrefix = "ssubscriber"), this.subscriber = new Redis_1.default({
          port: options.port,
          host: options.host,
          username: options.username,
          password: options.password,
          enableReadyCheck: !0,
          connectionName: (0, util_1.getConnectionName)(connectionPrefix, options.connectionName),
          lazyConnect: !0,
          tls: options.tls,
          // Don't try to reconnect the subscriber connection. If the connection fails
          // we will get an end event (handled below), at which point we'll pick a new
          // node from the pool and try to connect to that as the subscriber connection.
          retryStrategy: null
        }), this.subscriber.on("error", utils_1.noop), this.subscriber.on("moved", () => {
          this.emitter.emit("forceRefresh");
        }), this.subscriber.once("end", this.onSubscriberEnd);
        let previousChannels = { subscribe: [], psubscribe: [], ssubscribe: [] };
        if (lastActiveSubscriber) {
          let condition = lastActiveSubscriber.condition || lastActiveSubscriber.prevCondition;
          condition && condition.subscriber && (previousChannels.subscribe = condition.subscriber.channels("subscribe"), previousChannels.psubscribe = condition.subscriber.channels("psubscribe"), previousChannels.ssubscribe = condition.subscriber.channels("ssubscribe"));
        }
        if (previousChannels.subscribe.length || previousChannels.psubscribe.length || previousChannels.ssubscribe.length) {
          let pending = 0;
          for (let type of ["subscribe", "psubscribe", "ssubscribe"]) {
            let channels = previousChannels[type];
            if (channels.length != 0)
              if (debug("%s %d channels", type, channels.length), type === "ssubscribe")
                for (let channel of channels)
                  pending += 1, this.subscriber[type](channel).then(() => {
                    --pending || (this.lastActiveSubscriber = this.subscriber);
                  }).catch(() => {
                    debug("failed to ssubscribe to channel: %s", channel);
                  });
              else
                pending += 1, this.subscriber[type](channels).then(() => {
                  --pending || (this.lastActiveSubscriber = this.subscriber);
                }).catch(() => {
                  debug("failed to %s %d channels", type, channels.length);
                });
          }
        } else
          this.lastActiveSubscriber = this.subscriber;
        for (let event of [
          "message",
          "messageBuffer"
        ])
          this.subscriber.on(event, (arg1, arg2) => {
            this.emitter.emit(event, arg1, arg2);
          });
        for (let event of ["pmessage", "pmessageBuffer"])
          this.subscriber.on(event, (arg1, arg2, arg3) => {
            this.emitter.emit(event, arg1, arg2, arg3);
          });
        if (this.isSharded == !0)
          for (let event of [
            "smessage",
            "smessageBuffer"
          ])
            this.subscriber.on(event, (arg1, arg2) => {
              this.emitter.emit(event, arg1, arg2);
            });
      }
    };
    exports2.default = ClusterSubscriber;
  }
});

// ../../../node_modules/ioredis/built/cluster/ConnectionPool.js
var require_ConnectionPool = __commonJS({
  "../../../node_modules/ioredis/built/cluster/ConnectionPool.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var events_1 = require("events"), utils_1 = require_utils2(), util_1 = require_util(), Redis_1 = require_Redis(), debug = (0, utils_1.Debug)("cluster:connectionPool"), ConnectionPool = class extends events_1.EventEmitter {
      constructor(redisOptions, clusterNodeRetryStrategy = null) {
        super(), this.redisOptions = redisOptions, this.clusterNodeRetryStrategy = clusterNodeRetryStrategy, this.nodes = {
          all: {},
          master: {},
          slave: {}
        }, this.specifiedOptions = {};
      }
      getNodes(role = "all") {
        let nodes = this.nodes[role];
        return Object.keys(nodes).map((key) => nodes[key]);
      }
      getInstanceByKey(key) {
        return this.nodes.all[key];
      }
      getSampleInstance(role) {
        let keys = Object.keys(this.nodes[role]), sampleKey = (0, utils_1.sample)(keys);
        return this.nodes[role][sampleKey];
      }
      /**
       * Add a master node to the pool
       * @param node
       */
      addMasterNode(node) {
        let key = (0, util_1.getNodeKey)(node.options), redis = this.createRedisFromOptions(node, node.options.readOnly);
        return node.options.readOnly ? !1 : (this.nodes.all[key] = redis, this.nodes.master[key] = redis, !0);
      }
      /**
       * Creates a Redis connection instance from the node options
       * @param node
       * @param readOnly
       */
      createRedisFromOptions(node, readOnly) {
        return new Redis_1.default((0, utils_1.defaults)({
          // By default, never try to reconnect when a node is lost,
          // instead, waiting for a `MOVED` error and fetching slots again.
          // When `clusterNodeRetryStrategy` is set, use it to allow
          // reconnection (e.g. for replica nodes that restart without
          // any slot changes).
          retryStrategy: typeof this.clusterNodeRetryStrategy == "function" ? this.clusterNodeRetryStrategy : null,
          // Offline queue should be enabled so that
          // we don't need to wait for the `ready` event
          // before sending commands to the node.
          enableOfflineQueue: !0,
          readOnly
        }, node, this.redisOptions, { lazyConnect: !0 }));
      }
      /**
       * Find or create a connection to the node
       */
      findOrCreate(node, readOnly = !1) {
        let key = (0, util_1.getNodeKey)(node);
        readOnly = !!readOnly, this.specifiedOptions[key] ? Object.assign(node, this.specifiedOptions[key]) : this.specifiedOptions[key] = node;
        let redis;
        return this.nodes.all[key] ? (redis = this.nodes.all[key], redis.options.readOnly !== readOnly && (redis.options.readOnly = readOnly, debug("Change role of %s to %s", key, readOnly ? "slave" : "master"), redis[readOnly ? "readonly" : "readwrite"]().catch(utils_1.noop), readOnly ? (delete this.nodes.master[key], this.nodes.slave[key] = redis) : (delete this.nodes.slave[key], this.nodes.master[key] = redis))) : (debug("Connecting to %s as %s", key, readOnly ? "slave" : "master"), redis = this.createRedisFromOptions(node, readOnly), this.nodes.all[key] = redis, this.nodes[readOnly ? "slave" : "master"][key] = redis, redis.once("end", () => {
          this.removeNode(key), this.emit("-node", redis, key), Object.keys(this.nodes.all).length || this.emit("drain");
        }), this.emit("+node", redis, key), redis.on("error", (error) => {
          this.emit("nodeError", error, key);
        })), redis;
      }
      /**
       * Reset the pool with a set of nodes.
       * The old node will be removed.
       */
      reset(nodes) {
        debug("Reset with %O", nodes);
        let newNodes = {};
        nodes.forEach((node) => {
          let key = (0, util_1.getNodeKey)(node);
          node.readOnly && newNodes[key] || (newNodes[key] = node);
        }), Object.keys(this.nodes.all).forEach((key) => {
          newNodes[key] || (debug("Disconnect %s because the node does not hold any slot", key), this.nodes.all[key].disconnect(), this.removeNode(key));
        }), Object.keys(newNodes).forEach((key) => {
          let node = newNodes[key];
          this.findOrCreate(node, node.readOnly);
        });
      }
      /**
       * Remove a node from the pool.
       */
      removeNode(key) {
        let { nodes } = this;
        nodes.all[key] && (debug("Remove %s from the pool", key), delete nodes.all[key]), delete nodes.master[key], delete nodes.slave[key];
      }
    };
    exports2.default = ConnectionPool;
  }
});

// ../../../node_modules/denque/index.js
var require_denque = __commonJS({
  "../../../node_modules/denque/index.js"(exports2, module2) {
    "use strict";
    function Denque(array, options) {
      var options = options || {};
      this._capacity = options.capacity, this._head = 0, this._tail = 0, Array.isArray(array) ? this._fromArray(array) : (this._capacityMask = 3, this._list = new Array(4));
    }
    Denque.prototype.peekAt = function(index) {
      var i = index;
      if (i === (i | 0)) {
        var len = this.size();
        if (!(i >= len || i < -len))
          return i < 0 && (i += len), i = this._head + i & this._capacityMask, this._list[i];
      }
    };
    Denque.prototype.get = function(i) {
      return this.peekAt(i);
    };
    Denque.prototype.peek = function() {
      if (this._head !== this._tail)
        return this._list[this._head];
    };
    Denque.prototype.peekFront = function() {
      return this.peek();
    };
    Denque.prototype.peekBack = function() {
      return this.peekAt(-1);
    };
    Object.defineProperty(Denque.prototype, "length", {
      get: function() {
        return this.size();
      }
    });
    Denque.prototype.size = function() {
      return this._head === this._tail ? 0 : this._head < this._tail ? this._tail - this._head : this._capacityMask + 1 - (this._head - this._tail);
    };
    Denque.prototype.unshift = function(item) {
      if (arguments.length === 0) return this.size();
      var len = this._list.length;
      return this._head = this._head - 1 + len & this._capacityMask, this._list[this._head] = item, this._tail === this._head && this._growArray(), this._capacity && this.size() > this._capacity && this.pop(), this._head < this._tail ? this._tail - this._head : this._capacityMask + 1 - (this._head - this._tail);
    };
    Denque.prototype.shift = function() {
      var head = this._head;
      if (head !== this._tail) {
        var item = this._list[head];
        return this._list[head] = void 0, this._head = head + 1 & this._capacityMask, head < 2 && this._tail > 1e4 && this._tail <= this._list.length >>> 2 && this._shrinkArray(), item;
      }
    };
    Denque.prototype.push = function(item) {
      if (arguments.length === 0) return this.size();
      var tail = this._tail;
      return this._list[tail] = item, this._tail = tail + 1 & this._capacityMask, this._tail === this._head && this._growArray(), this._capacity && this.size() > this._capacity && this.shift(), this._head < this._tail ? this._tail - this._head : this._capacityMask + 1 - (this._head - this._tail);
    };
    Denque.prototype.pop = function() {
      var tail = this._tail;
      if (tail !== this._head) {
        var len = this._list.length;
        this._tail = tail - 1 + len & this._capacityMask;
        var item = this._list[this._tail];
        return this._list[this._tail] = void 0, this._head < 2 && tail > 1e4 && tail <= len >>> 2 && this._shrinkArray(), item;
      }
    };
    Denque.prototype.removeOne = function(index) {
      var i = index;
      if (i === (i | 0) && this._head !== this._tail) {
        var size = this.size(), len = this._list.length;
        if (!(i >= size || i < -size)) {
          i < 0 && (i += size), i = this._head + i & this._capacityMask;
          var item = this._list[i], k;
          if (index < size / 2) {
            for (k = index; k > 0; k--)
              this._list[i] = this._list[i = i - 1 + len & this._capacityMask];
            this._list[i] = void 0, this._head = this._head + 1 + len & this._capacityMask;
          } else {
            for (k = size - 1 - index; k > 0; k--)
              this._list[i] = this._list[i = i + 1 + len & this._capacityMask];
            this._list[i] = void 0, this._tail = this._tail - 1 + len & this._capacityMask;
          }
          return item;
        }
      }
    };
    Denque.prototype.remove = function(index, count) {
      var i = index, removed, del_count = count;
      if (i === (i | 0) && this._head !== this._tail) {
        var size = this.size(), len = this._list.length;
        if (!(i >= size || i < -size || count < 1)) {
          if (i < 0 && (i += size), count === 1 || !count)
            return removed = new Array(1), removed[0] = this.removeOne(i), removed;
          if (i === 0 && i + count >= size)
            return removed = this.toArray(), this.clear(), removed;
          i + count > size && (count = size - i);
          var k;
          for (removed = new Array(count), k = 0; k < count; k++)
            removed[k] = this._list[this._head + i + k & this._capacityMask];
          if (i = this._head + i & this._capacityMask, index + count === size) {
            for (this._tail = this._tail - count + len & this._capacityMask, k = count; k > 0; k--)
              this._list[i = i + 1 + len & this._capacityMask] = void 0;
            return removed;
          }
          if (index === 0) {
            for (this._head = this._head + count + len & this._capacityMask, k = count - 1; k > 0; k--)
              this._list[i = i + 1 + len & this._capacityMask] = void 0;
            return removed;
          }
          if (i < size / 2) {
            for (this._head = this._head + index + count + len & this._capacityMask, k = index; k > 0; k--)
              this.unshift(this._list[i = i - 1 + len & this._capacityMask]);
            for (i = this._head - 1 + len & this._capacityMask; del_count > 0; )
              this._list[i = i - 1 + len & this._capacityMask] = void 0, del_count--;
            index < 0 && (this._tail = i);
          } else {
            for (this._tail = i, i = i + count + len & this._capacityMask, k = size - (count + index); k > 0; k--)
              this.push(this._list[i++]);
            for (i = this._tail; del_count > 0; )
              this._list[i = i + 1 + len & this._capacityMask] = void 0, del_count--;
          }
          return this._head < 2 && this._tail > 1e4 && this._tail <= len >>> 2 && this._shrinkArray(), removed;
        }
      }
    };
    Denque.prototype.splice = function(index, count) {
      var i = index;
      if (i === (i | 0)) {
        var size = this.size();
        if (i < 0 && (i += size), !(i > size))
          if (arguments.length > 2) {
            var k, temp, removed, arg_len = arguments.length, len = this._list.length, arguments_index = 2;
            if (!size || i < size / 2) {
              for (temp = new Array(i), k = 0; k < i; k++)
                temp[k] = this._list[this._head + k & this._capacityMask];
              for (count === 0 ? (removed = [], i > 0 && (this._head = this._head + i + len & this._capacityMask)) : (removed = this.remove(i, count), this._head = this._head + i + len & this._capacityMask); arg_len > arguments_index; )
                this.unshift(arguments[--arg_len]);
              for (k = i; k > 0; k--)
                this.unshift(temp[k - 1]);
            } else {
              temp = new Array(size - (i + count));
              var leng = temp.length;
              for (k = 0; k < leng; k++)
                temp[k] = this._list[this._head + i + count + k & this._capacityMask];
              for (count === 0 ? (removed = [], i != size && (this._tail = this._head + i + len & this._capacityMask)) : (removed = this.remove(i, count), this._tail = this._tail - leng + len & this._capacityMask); arguments_index < arg_len; )
                this.push(arguments[arguments_index++]);
              for (k = 0; k < leng; k++)
                this.push(temp[k]);
            }
            return removed;
          } else
            return this.remove(i, count);
      }
    };
    Denque.prototype.clear = function() {
      this._list = new Array(this._list.length), this._head = 0, this._tail = 0;
    };
    Denque.prototype.isEmpty = function() {
      return this._head === this._tail;
    };
    Denque.prototype.toArray = function() {
      return this._copyArray(!1);
    };
    Denque.prototype._fromArray = function(array) {
      var length = array.length, capacity = this._nextPowerOf2(length);
      this._list = new Array(capacity), this._capacityMask = capacity - 1, this._tail = length;
      for (var i = 0; i < length; i++) this._list[i] = array[i];
    };
    Denque.prototype._copyArray = function(fullCopy, size) {
      var src = this._list, capacity = src.length, length = this.length;
      if (size = size | length, size == length && this._head < this._tail)
        return this._list.slice(this._head, this._tail);
      var dest = new Array(size), k = 0, i;
      if (fullCopy || this._head > this._tail) {
        for (i = this._head; i < capacity; i++) dest[k++] = src[i];
        for (i = 0; i < this._tail; i++) dest[k++] = src[i];
      } else
        for (i = this._head; i < this._tail; i++) dest[k++] = src[i];
      return dest;
    };
    Denque.prototype._growArray = function() {
      if (this._head != 0) {
        var newList = this._copyArray(!0, this._list.length << 1);
        this._tail = this._list.length, this._head = 0, this._list = newList;
      } else
        this._tail = this._list.length, this._list.length <<= 1;
      this._capacityMask = this._capacityMask << 1 | 1;
    };
    Denque.prototype._shrinkArray = function() {
      this._list.length >>>= 1, this._capacityMask >>>= 1;
    };
    Denque.prototype._nextPowerOf2 = function(num) {
      var log2 = Math.log(num) / Math.log(2), nextPow2 = 1 << log2 + 1;
      return Math.max(nextPow2, 4);
    };
    module2.exports = Denque;
  }
});

// ../../../node_modules/ioredis/built/cluster/DelayQueue.js
var require_DelayQueue = __commonJS({
  "../../../node_modules/ioredis/built/cluster/DelayQueue.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var utils_1 = require_utils2(), Deque = require_denque(), debug = (0, utils_1.Debug)("delayqueue"), DelayQueue = class {
      constructor() {
        this.queues = {}, this.timeouts = {};
      }
      /**
       * Add a new item to the queue
       *
       * @param bucket bucket name
       * @param item function that will run later
       * @param options
       */
      push(bucket, item, options) {
        let callback = options.callback || process.nextTick;
        this.queues[bucket] || (this.queues[bucket] = new Deque()), this.queues[bucket].push(item), this.timeouts[bucket] || (this.timeouts[bucket] = setTimeout(() => {
          callback(() => {
            this.timeouts[bucket] = null, this.execute(bucket);
          });
        }, options.timeout));
      }
      execute(bucket) {
        let queue = this.queues[bucket];
        if (!queue)
          return;
        let { length } = queue;
        if (length)
          for (debug("send %d commands in %s queue", length, bucket), this.queues[bucket] = null; queue.length > 0; )
            queue.shift()();
      }
    };
    exports2.default = DelayQueue;
  }
});

// ../../../node_modules/ioredis/built/cluster/ShardedSubscriber.js
var require_ShardedSubscriber = __commonJS({
  "../../../node_modules/ioredis/built/cluster/ShardedSubscriber.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var util_1 = require_util(), utils_1 = require_utils2(), Redis_1 = require_Redis(), debug = (0, utils_1.Debug)("cluster:subscriberGroup:shardedSubscriber"), SubscriberStatus = {
      IDLE: "idle",
      STARTING: "starting",
      CONNECTED: "connected",
      STOPPING: "stopping",
      ENDED: "ended"
    }, ALLOWED_STATUS_UPDATES = {
      [SubscriberStatus.IDLE]: [
        SubscriberStatus.STARTING,
        SubscriberStatus.STOPPING,
        SubscriberStatus.ENDED
      ],
      [SubscriberStatus.STARTING]: [
        SubscriberStatus.CONNECTED,
        SubscriberStatus.STOPPING,
        SubscriberStatus.ENDED
      ],
      [SubscriberStatus.CONNECTED]: [
        SubscriberStatus.STOPPING,
        SubscriberStatus.ENDED
      ],
      [SubscriberStatus.STOPPING]: [SubscriberStatus.ENDED],
      [SubscriberStatus.ENDED]: []
    }, ShardedSubscriber = class {
      constructor(emitter, options, redisOptions) {
        var _a;
        this.emitter = emitter, this.status = SubscriberStatus.IDLE, this.instance = null, this.connectPromise = null, this.messageListeners = /* @__PURE__ */ new Map(), this.onEnd = () => {
          this.updateStatus(SubscriberStatus.ENDED), this.emitter.emit("-node", this.instance, this.nodeKey);
        }, this.onError = (error) => {
          this.emitter.emit("nodeError", error, this.nodeKey);
        }, this.onMoved = () => {
          this.emitter.emit("moved");
        }, this.instance = new Redis_1.default((0, utils_1.defaults)({
          enableReadyCheck: !1,
          enableOfflineQueue: !0,
          connectionName: (0, util_1.getConnectionName)("ssubscriber", options.connectionName),
          /**
           * Disable auto reconnection for subscribers.
           * The ClusterSubscriberGroup will handle the reconnection.
           */
          retryStrategy: null,
          lazyConnect: !0
        }, options, redisOptions)), this.lazyConnect = (_a = redisOptions?.lazyConnect) !== null && _a !== void 0 ? _a : !0, this.nodeKey = (0, util_1.getNodeKey)(options), this.instance.on("end", this.onEnd), this.instance.on("error", this.onError), this.instance.on("moved", this.onMoved);
        for (let event of ["smessage", "smessageBuffer"]) {
          let listener = (...args) => {
            this.emitter.emit(event, ...args);
          };
          this.messageListeners.set(event, listener), this.instance.on(event, listener);
        }
      }
      async start() {
        if (this.connectPromise)
          return this.connectPromise;
        if (!(this.status === SubscriberStatus.STARTING || this.status === SubscriberStatus.CONNECTED)) {
          if (this.status === SubscriberStatus.ENDED || !this.instance)
            throw new Error(`Sharded subscriber ${this.nodeKey} cannot be restarted once ended.`);
          this.updateStatus(SubscriberStatus.STARTING), this.connectPromise = this.instance.connect();
          try {
            await this.connectPromise, this.updateStatus(SubscriberStatus.CONNECTED);
          } catch (err) {
            throw this.updateStatus(SubscriberStatus.ENDED), err;
          } finally {
            this.connectPromise = null;
          }
        }
      }
      stop() {
        this.updateStatus(SubscriberStatus.STOPPING), this.instance && (this.instance.disconnect(), this.instance.removeAllListeners(), this.messageListeners.clear(), this.instance = null), this.updateStatus(SubscriberStatus.ENDED), debug("stopped %s", this.nodeKey);
      }
      isStarted() {
        return [
          SubscriberStatus.CONNECTED,
          SubscriberStatus.STARTING
        ].includes(this.status);
      }
      get subscriberStatus() {
        return this.status;
      }
      isHealthy() {
        return (this.status === SubscriberStatus.IDLE || this.status === SubscriberStatus.CONNECTED || this.status === SubscriberStatus.STARTING) && this.instance !== null;
      }
      getInstance() {
        return this.instance;
      }
      getNodeKey() {
        return this.nodeKey;
      }
      isLazyConnect() {
        return this.lazyConnect;
      }
      updateStatus(nextStatus) {
        if (this.status !== nextStatus) {
          if (!ALLOWED_STATUS_UPDATES[this.status].includes(nextStatus)) {
            debug("Invalid status transition for %s: %s -> %s", this.nodeKey, this.status, nextStatus);
            return;
          }
          this.status = nextStatus;
        }
      }
    };
    exports2.default = ShardedSubscriber;
  }
});

// ../../../node_modules/ioredis/built/cluster/ClusterSubscriberGroup.js
var require_ClusterSubscriberGroup = __commonJS({
  "../../../node_modules/ioredis/built/cluster/ClusterSubscriberGroup.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var utils_1 = require_utils2(), util_1 = require_util(), calculateSlot = require_lib(), ShardedSubscriber_1 = require_ShardedSubscriber(), debug = (0, utils_1.Debug)("cluster:subscriberGroup"), ClusterSubscriberGroup = class _ClusterSubscriberGroup {
      /**
       * Register callbacks
       *
       * @param cluster
       */
      constructor(subscriberGroupEmitter, options) {
        this.subscriberGroupEmitter = subscriberGroupEmitter, this.options = options, this.shardedSubscribers = /* @__PURE__ */ new Map(), this.clusterSlots = [], this.subscriberToSlotsIndex = /* @__PURE__ */ new Map(), this.channels = /* @__PURE__ */ new Map(), this.failedAttemptsByNode = /* @__PURE__ */ new Map(), this.isResetting = !1, this.pendingReset = null, this.handleSubscriberConnectFailed = (error, nodeKey) => {
          let failedAttempts = (this.failedAttemptsByNode.get(nodeKey) || 0) + 1;
          this.failedAttemptsByNode.set(nodeKey, failedAttempts);
          let attempts = Math.min(failedAttempts, _ClusterSubscriberGroup.MAX_RETRY_ATTEMPTS), backoff = Math.min(_ClusterSubscriberGroup.BASE_BACKOFF_MS * 2 ** attempts, _ClusterSubscriberGroup.MAX_BACKOFF_MS), jitter = Math.floor((Math.random() - 0.5) * (backoff * 0.5)), delay = Math.max(0, backoff + jitter);
          debug("Failed to connect subscriber for %s. Refreshing slots in %dms", nodeKey, delay), this.subscriberGroupEmitter.emit("subscriberConnectFailed", {
            delay,
            error
          });
        }, this.handleSubscriberConnectSucceeded = (nodeKey) => {
          this.failedAttemptsByNode.delete(nodeKey);
        };
      }
      /**
       * Get the responsible subscriber.
       *
       * @param slot
       */
      getResponsibleSubscriber(slot) {
        let nodeKey = this.clusterSlots[slot][0], sub = this.shardedSubscribers.get(nodeKey);
        return sub && sub.subscriberStatus === "idle" && sub.start().then(() => {
          this.handleSubscriberConnectSucceeded(sub.getNodeKey());
        }).catch((err) => {
          this.handleSubscriberConnectFailed(err, sub.getNodeKey());
        }), sub;
      }
      /**
       * Adds a channel for which this subscriber group is responsible
       *
       * @param channels
       */
      addChannels(channels) {
        let slot = calculateSlot(channels[0]);
        for (let c of channels)
          if (calculateSlot(c) !== slot)
            return -1;
        let currChannels = this.channels.get(slot);
        return currChannels ? this.channels.set(slot, currChannels.concat(channels)) : this.channels.set(slot, channels), Array.from(this.channels.values()).reduce((sum, array) => sum + array.length, 0);
      }
      /**
       * Removes channels for which the subscriber group is responsible by optionally unsubscribing
       * @param channels
       */
      removeChannels(channels) {
        let slot = calculateSlot(channels[0]);
        for (let c of channels)
          if (calculateSlot(c) !== slot)
            return -1;
        let slotChannels = this.channels.get(slot);
        if (slotChannels) {
          let updatedChannels = slotChannels.filter((c) => !channels.includes(c));
          this.channels.set(slot, updatedChannels);
        }
        return Array.from(this.channels.values()).reduce((sum, array) => sum + array.length, 0);
      }
      /**
       * Disconnect all subscribers and clear some of the internal state.
       */
      stop() {
        for (let s of this.shardedSubscribers.values())
          s.stop();
        this.pendingReset = null, this.shardedSubscribers.clear(), this.subscriberToSlotsIndex.clear();
      }
      /**
       * Start all not yet started subscribers
       */
      start() {
        let startPromises = [];
        for (let s of this.shardedSubscribers.values())
          this.shouldStartSubscriber(s) && (startPromises.push(s.start().then(() => {
            this.handleSubscriberConnectSucceeded(s.getNodeKey());
          }).catch((err) => {
            this.handleSubscriberConnectFailed(err, s.getNodeKey());
          })), this.subscriberGroupEmitter.emit("+subscriber"));
        return Promise.all(startPromises);
      }
      /**
       * Resets the subscriber group by disconnecting all subscribers that are no longer needed and connecting new ones.
       */
      async reset(clusterSlots, clusterNodes) {
        if (this.isResetting) {
          this.pendingReset = { slots: clusterSlots, nodes: clusterNodes };
          return;
        }
        this.isResetting = !0;
        try {
          let hasTopologyChanged = this._refreshSlots(clusterSlots), hasFailedSubscribers = this.hasUnhealthySubscribers();
          if (!hasTopologyChanged && !hasFailedSubscribers) {
            debug("No topology change detected or failed subscribers. Skipping reset.");
            return;
          }
          for (let [nodeKey, shardedSubscriber] of this.shardedSubscribers) {
            if (
              // If the subscriber is still responsible for a slot range and is healthy then keep it
              this.subscriberToSlotsIndex.has(nodeKey) && shardedSubscriber.isHealthy()
            ) {
              debug("Skipping deleting subscriber for %s", nodeKey);
              continue;
            }
            debug("Removing subscriber for %s", nodeKey), shardedSubscriber.stop(), this.shardedSubscribers.delete(nodeKey), this.subscriberGroupEmitter.emit("-subscriber");
          }
          let startPromises = [];
          for (let [nodeKey, _] of this.subscriberToSlotsIndex) {
            let existingSubscriber = this.shardedSubscribers.get(nodeKey);
            if (existingSubscriber && existingSubscriber.isHealthy()) {
              debug("Skipping creating new subscriber for %s", nodeKey), !existingSubscriber.isStarted() && this.shouldStartSubscriber(existingSubscriber) && startPromises.push(existingSubscriber.start().then(() => {
                this.handleSubscriberConnectSucceeded(nodeKey);
              }).catch((error) => {
                this.handleSubscriberConnectFailed(error, nodeKey);
              }));
              continue;
            }
            existingSubscriber && !existingSubscriber.isHealthy() && (debug("Replacing subscriber for %s", nodeKey), existingSubscriber.stop(), this.shardedSubscribers.delete(nodeKey), this.subscriberGroupEmitter.emit("-subscriber")), debug("Creating new subscriber for %s", nodeKey);
            let redis = clusterNodes.find((node) => (0, util_1.getNodeKey)(node.options) === nodeKey);
            if (!redis) {
              debug("Failed to find node for key %s", nodeKey);
              continue;
            }
            let sub = new ShardedSubscriber_1.default(this.subscriberGroupEmitter, redis.options, this.options.redisOptions);
            this.shardedSubscribers.set(nodeKey, sub), this.shouldStartSubscriber(sub) && startPromises.push(sub.start().then(() => {
              this.handleSubscriberConnectSucceeded(nodeKey);
            }).catch((error) => {
              this.handleSubscriberConnectFailed(error, nodeKey);
            })), this.subscriberGroupEmitter.emit("+subscriber");
          }
          await Promise.all(startPromises), this._resubscribe(), this.subscriberGroupEmitter.emit("subscribersReady");
        } finally {
          if (this.isResetting = !1, this.pendingReset) {
            let { slots, nodes } = this.pendingReset;
            this.pendingReset = null, await this.reset(slots, nodes);
          }
        }
      }
      /**
       * Refreshes the subscriber-related slot ranges
       *
       * Returns false if no refresh was needed
       *
       * @param targetSlots
       */
      _refreshSlots(targetSlots) {
        if (this._slotsAreEqual(targetSlots) && this.subscriberToSlotsIndex.size > 0)
          return debug("Nothing to refresh because the new cluster map is equal to the previous one."), !1;
        debug("Refreshing the slots of the subscriber group."), this.subscriberToSlotsIndex = /* @__PURE__ */ new Map();
        for (let slot = 0; slot < targetSlots.length; slot++) {
          let node = targetSlots[slot][0];
          this.subscriberToSlotsIndex.has(node) || this.subscriberToSlotsIndex.set(node, []), this.subscriberToSlotsIndex.get(node).push(Number(slot));
        }
        return this.clusterSlots = JSON.parse(JSON.stringify(targetSlots)), !0;
      }
      /**
       * Resubscribes to the previous channels
       *
       * @private
       */
      _resubscribe() {
        this.shardedSubscribers && this.shardedSubscribers.forEach((s, nodeKey) => {
          let subscriberSlots = this.subscriberToSlotsIndex.get(nodeKey);
          subscriberSlots && subscriberSlots.forEach((ss) => {
            let redis = s.getInstance(), channels = this.channels.get(ss);
            if (channels && channels.length > 0) {
              if (!redis || redis.status === "end")
                return;
              redis.status === "ready" ? redis.ssubscribe(...channels).catch((err) => {
                debug("Failed to ssubscribe on node %s: %s", nodeKey, err);
              }) : redis.once("ready", () => {
                redis.ssubscribe(...channels).catch((err) => {
                  debug("Failed to ssubscribe on node %s: %s", nodeKey, err);
                });
              });
            }
          });
        });
      }
      /**
       * Deep equality of the cluster slots objects
       *
       * @param other
       * @private
       */
      _slotsAreEqual(other) {
        return this.clusterSlots === void 0 ? !1 : JSON.stringify(this.clusterSlots) === JSON.stringify(other);
      }
      /**
       * Checks if any subscribers are in an unhealthy state.
       *
       * A subscriber is considered unhealthy if:
       * - It exists but is not started (failed/disconnected)
       * - It's missing entirely for a node that should have one
       *
       * @returns true if any subscribers need to be recreated
       */
      hasUnhealthySubscribers() {
        let hasFailedSubscribers = Array.from(this.shardedSubscribers.values()).some((sub) => !sub.isHealthy()), hasMissingSubscribers = Array.from(this.subscriberToSlotsIndex.keys()).some((nodeKey) => !this.shardedSubscribers.has(nodeKey));
        return hasFailedSubscribers || hasMissingSubscribers;
      }
      shouldStartSubscriber(sub) {
        if (sub.isStarted())
          return !1;
        if (!sub.isLazyConnect())
          return !0;
        let subscriberSlots = this.subscriberToSlotsIndex.get(sub.getNodeKey());
        return subscriberSlots ? subscriberSlots.some((slot) => {
          let channels = this.channels.get(slot);
          return !!(channels && channels.length > 0);
        }) : !1;
      }
    };
    exports2.default = ClusterSubscriberGroup;
    ClusterSubscriberGroup.MAX_RETRY_ATTEMPTS = 10;
    ClusterSubscriberGroup.MAX_BACKOFF_MS = 2e3;
    ClusterSubscriberGroup.BASE_BACKOFF_MS = 100;
  }
});

// ../../../node_modules/ioredis/built/cluster/index.js
var require_cluster = __commonJS({
  "../../../node_modules/ioredis/built/cluster/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var commands_1 = require_built(), events_1 = require("events"), redis_errors_1 = require_redis_errors(), standard_as_callback_1 = require_built2(), Command_1 = require_Command(), ClusterAllFailedError_1 = require_ClusterAllFailedError(), Redis_1 = require_Redis(), ScanStream_1 = require_ScanStream(), transaction_1 = require_transaction(), utils_1 = require_utils2(), applyMixin_1 = require_applyMixin(), Commander_1 = require_Commander(), ClusterOptions_1 = require_ClusterOptions(), ClusterSubscriber_1 = require_ClusterSubscriber(), ConnectionPool_1 = require_ConnectionPool(), DelayQueue_1 = require_DelayQueue(), util_1 = require_util(), Deque = require_denque(), ClusterSubscriberGroup_1 = require_ClusterSubscriberGroup(), debug = (0, utils_1.Debug)("cluster"), REJECT_OVERWRITTEN_COMMANDS = /* @__PURE__ */ new WeakSet(), Cluster = class _Cluster extends Commander_1.default {
      /**
       * Creates an instance of Cluster.
       */
      //TODO: Add an option that enables or disables sharded PubSub
      constructor(startupNodes, options = {}) {
        var _a;
        if (super(), this.slots = [], this._groupsIds = {}, this._groupsBySlot = Array(16384), this.isCluster = !0, this.retryAttempts = 0, this.delayQueue = new DelayQueue_1.default(), this.offlineQueue = new Deque(), this.isRefreshing = !1, this._refreshSlotsCacheCallbacks = [], this._autoPipelines = /* @__PURE__ */ new Map(), this._runningAutoPipelines = /* @__PURE__ */ new Set(), this._readyDelayedCallbacks = [], this.connectionEpoch = 0, events_1.EventEmitter.call(this), this.startupNodes = startupNodes, this.options = (0, utils_1.defaults)({}, options, ClusterOptions_1.DEFAULT_CLUSTER_OPTIONS, this.options), this.options.shardedSubscribers && this.createShardedSubscriberGroup(), this.options.redisOptions && this.options.redisOptions.keyPrefix && !this.options.keyPrefix && (this.options.keyPrefix = this.options.redisOptions.keyPrefix), typeof this.options.scaleReads != "function" && ["all", "master", "slave"].indexOf(this.options.scaleReads) === -1)
          throw new Error('Invalid option scaleReads "' + this.options.scaleReads + '". Expected "all", "master", "slave" or a custom function');
        this.connectionPool = new ConnectionPool_1.default((_a = this.options.redisOptions) !== null && _a !== void 0 ? _a : {}, this.options.clusterNodeRetryStrategy), this.connectionPool.on("-node", (redis, key) => {
          this.emit("-node", redis);
        }), this.connectionPool.on("+node", (redis) => {
          this.emit("+node", redis);
        }), this.connectionPool.on("drain", () => {
          this.setStatus("close");
        }), this.connectionPool.on("nodeError", (error, key) => {
          this.emit("node error", error, key);
        }), this.subscriber = new ClusterSubscriber_1.default(this.connectionPool, this), this.options.scripts && Object.entries(this.options.scripts).forEach(([name, definition]) => {
          this.defineCommand(name, definition);
        }), this.options.lazyConnect ? this.setStatus("wait") : this.connect().catch((err) => {
          debug("connecting failed: %s", err);
        });
      }
      /**
       * Connect to a cluster
       */
      connect() {
        return new Promise((resolve, reject) => {
          if (this.status === "connecting" || this.status === "connect" || this.status === "ready") {
            reject(new Error("Redis is already connecting/connected"));
            return;
          }
          let epoch = ++this.connectionEpoch;
          this.setStatus("connecting"), this.resolveStartupNodeHostnames().then((nodes) => {
            if (this.connectionEpoch !== epoch) {
              debug("discard connecting after resolving startup nodes because epoch not match: %d != %d", epoch, this.connectionEpoch), reject(new redis_errors_1.RedisError("Connection is discarded because a new connection is made"));
              return;
            }
            if (this.status !== "connecting") {
              debug("discard connecting after resolving startup nodes because the status changed to %s", this.status), reject(new redis_errors_1.RedisError("Connection is aborted"));
              return;
            }
            this.connectionPool.reset(nodes), this.options.shardedSubscribers && this.shardedSubscribers.reset(this.slots, this.connectionPool.getNodes("all")).catch((err) => {
              debug("Error while starting subscribers: %s", err);
            });
            let readyHandler = () => {
              this.setStatus("ready"), this.retryAttempts = 0, this.executeOfflineCommands(), this.resetNodesRefreshInterval(), resolve();
            }, closeListener, refreshListener = () => {
              this.invokeReadyDelayedCallbacks(void 0), this.removeListener("close", closeListener), this.manuallyClosing = !1, this.setStatus("connect"), this.options.enableReadyCheck ? this.readyCheck((err, fail) => {
                err || fail ? (debug("Ready check failed (%s). Reconnecting...", err || fail), this.status === "connect" && this.disconnect(!0)) : readyHandler();
              }) : readyHandler();
            };
            closeListener = () => {
              let error = new Error("None of startup nodes is available");
              this.removeListener("refresh", refreshListener), this.invokeReadyDelayedCallbacks(error), reject(error);
            }, this.once("refresh", refreshListener), this.once("close", closeListener), this.once("close", this.handleCloseEvent.bind(this)), this.refreshSlotsCache((err) => {
              err && err.message === ClusterAllFailedError_1.default.defaultMessage && (Redis_1.default.prototype.silentEmit.call(this, "error", err), this.connectionPool.reset([]));
            }), this.subscriber.start(), this.options.shardedSubscribers && this.shardedSubscribers.start().catch((err) => {
              debug("Error while starting subscribers: %s", err);
            });
          }).catch((err) => {
            this.setStatus("close"), this.handleCloseEvent(err), this.invokeReadyDelayedCallbacks(err), reject(err);
          });
        });
      }
      /**
       * Disconnect from every node in the cluster.
       */
      disconnect(reconnect = !1) {
        let status = this.status;
        this.setStatus("disconnecting"), reconnect || (this.manuallyClosing = !0), this.reconnectTimeout && !reconnect && (clearTimeout(this.reconnectTimeout), this.reconnectTimeout = null, debug("Canceled reconnecting attempts")), this.clearNodesRefreshInterval(), this.subscriber.stop(), this.options.shardedSubscribers && this.shardedSubscribers.stop(), status === "wait" ? (this.setStatus("close"), this.handleCloseEvent()) : this.connectionPool.reset([]);
      }
      /**
       * Quit the cluster gracefully.
       */
      quit(callback) {
        let status = this.status;
        if (this.setStatus("disconnecting"), this.manuallyClosing = !0, this.reconnectTimeout && (clearTimeout(this.reconnectTimeout), this.reconnectTimeout = null), this.clearNodesRefreshInterval(), this.subscriber.stop(), this.options.shardedSubscribers && this.shardedSubscribers.stop(), status === "wait") {
          let ret2 = (0, standard_as_callback_1.default)(Promise.resolve("OK"), callback);
          return setImmediate(function() {
            this.setStatus("close"), this.handleCloseEvent();
          }.bind(this)), ret2;
        }
        return (0, standard_as_callback_1.default)(Promise.all(this.nodes().map((node) => node.quit().catch((err) => {
          if (err.message === utils_1.CONNECTION_CLOSED_ERROR_MSG)
            return "OK";
          throw err;
        }))).then(() => "OK"), callback);
      }
      /**
       * Create a new instance with the same startup nodes and options as the current one.
       *
       * @example
       * ```js
       * var cluster = new Redis.Cluster([{ host: "127.0.0.1", port: "30001" }]);
       * var anotherCluster = cluster.duplicate();
       * ```
       */
      duplicate(overrideStartupNodes = [], overrideOptions = {}) {
        let startupNodes = overrideStartupNodes.length > 0 ? overrideStartupNodes : this.startupNodes.slice(0), options = Object.assign({}, this.options, overrideOptions);
        return new _Cluster(startupNodes, options);
      }
      /**
       * Get nodes with the specified role
       */
      nodes(role = "all") {
        if (role !== "all" && role !== "master" && role !== "slave")
          throw new Error('Invalid role "' + role + '". Expected "all", "master" or "slave"');
        return this.connectionPool.getNodes(role);
      }
      /**
       * This is needed in order not to install a listener for each auto pipeline
       *
       * @ignore
       */
      delayUntilReady(callback) {
        this._readyDelayedCallbacks.push(callback);
      }
      /**
       * Get the number of commands queued in automatic pipelines.
       *
       * This is not available (and returns 0) until the cluster is connected and slots information have been received.
       */
      get autoPipelineQueueSize() {
        let queued = 0;
        for (let pipeline of this._autoPipelines.values())
          queued += pipeline.length;
        return queued;
      }
      /**
       * Refresh the slot cache
       *
       * @ignore
       */
      refreshSlotsCache(callback) {
        if (callback && this._refreshSlotsCacheCallbacks.push(callback), this.isRefreshing)
          return;
        this.isRefreshing = !0;
        let _this = this, wrapper = (error) => {
          this.isRefreshing = !1;
          for (let callback2 of this._refreshSlotsCacheCallbacks)
            callback2(error);
          this._refreshSlotsCacheCallbacks = [];
        }, nodes = (0, utils_1.shuffle)(this.connectionPool.getNodes()), lastNodeError = null;
        function tryNode(index) {
          if (index === nodes.length) {
            let error = new ClusterAllFailedError_1.default(ClusterAllFailedError_1.default.defaultMessage, lastNodeError);
            return wrapper(error);
          }
          let node = nodes[index], key = `${node.options.host}:${node.options.port}`;
          debug("getting slot cache from %s", key), _this.getInfoFromNode(node, function(err) {
            switch (_this.status) {
              case "close":
              case "end":
                return wrapper(new Error("Cluster is disconnected."));
              case "disconnecting":
                return wrapper(new Error("Cluster is disconnecting."));
            }
            err ? (_this.emit("node error", err, key), lastNodeError = err, tryNode(index + 1)) : (_this.emit("refresh"), wrapper());
          });
        }
        tryNode(0);
      }
      /**
       * @ignore
       */
      sendCommand(command, stream, node) {
        if (this.status === "wait" && this.connect().catch(utils_1.noop), this.status === "end")
          return command.reject(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG)), command.promise;
        let to = this.options.scaleReads;
        to !== "master" && (command.isReadOnly || (0, commands_1.exists)(command.name) && (0, commands_1.hasFlag)(command.name, "readonly") || (to = "master"));
        let targetSlot = node ? node.slot : command.getSlot(), ttl = {}, _this = this;
        if (!node && !REJECT_OVERWRITTEN_COMMANDS.has(command)) {
          REJECT_OVERWRITTEN_COMMANDS.add(command);
          let reject = command.reject;
          command.reject = function(err) {
            let partialTry = tryConnection.bind(null, !0);
            _this.handleError(err, ttl, {
              moved: function(slot, key) {
                debug("command %s is moved to %s", command.name, key), targetSlot = Number(slot), _this.slots[slot] ? _this.slots[slot][0] = key : _this.slots[slot] = [key], _this._groupsBySlot[slot] = _this._groupsIds[_this.slots[slot].join(";")], _this.connectionPool.findOrCreate(_this.natMapper(key)), tryConnection(), debug("refreshing slot caches... (triggered by MOVED error)"), _this.refreshSlotsCache();
              },
              ask: function(slot, key) {
                debug("command %s is required to ask %s:%s", command.name, key);
                let mapped = _this.natMapper(key);
                _this.connectionPool.findOrCreate(mapped), tryConnection(!1, `${mapped.host}:${mapped.port}`);
              },
              tryagain: partialTry,
              clusterDown: partialTry,
              connectionClosed: partialTry,
              maxRedirections: function(redirectionError) {
                reject.call(command, redirectionError);
              },
              defaults: function() {
                reject.call(command, err);
              }
            });
          };
        }
        tryConnection();
        function tryConnection(random, asking) {
          if (_this.status === "end") {
            command.reject(new redis_errors_1.AbortError("Cluster is ended."));
            return;
          }
          let redis;
          if (_this.status === "ready" || command.name === "cluster") {
            if (node && node.redis)
              redis = node.redis;
            else if (Command_1.default.checkFlag("ENTER_SUBSCRIBER_MODE", command.name) || Command_1.default.checkFlag("EXIT_SUBSCRIBER_MODE", command.name)) {
              if (_this.options.shardedSubscribers && (command.name == "ssubscribe" || command.name == "sunsubscribe")) {
                let sub = _this.shardedSubscribers.getResponsibleSubscriber(targetSlot);
                if (!sub) {
                  command.reject(new redis_errors_1.AbortError(`No sharded subscriber for slot: ${targetSlot}`));
                  return;
                }
                let status = -1;
                command.name == "ssubscribe" && (status = _this.shardedSubscribers.addChannels(command.getKeys())), command.name == "sunsubscribe" && (status = _this.shardedSubscribers.removeChannels(command.getKeys())), status !== -1 ? redis = sub.getInstance() : command.reject(new redis_errors_1.AbortError("Possible CROSSSLOT error: All channels must hash to the same slot"));
              } else
                redis = _this.subscriber.getInstance();
              if (!redis) {
                command.reject(new redis_errors_1.AbortError("No subscriber for the cluster"));
                return;
              }
            } else {
              if (!random) {
                if (typeof targetSlot == "number" && _this.slots[targetSlot]) {
                  let nodeKeys = _this.slots[targetSlot];
                  if (typeof to == "function") {
                    let nodes = nodeKeys.map(function(key) {
                      return _this.connectionPool.getInstanceByKey(key);
                    });
                    redis = to(nodes, command), Array.isArray(redis) && (redis = (0, utils_1.sample)(redis)), redis || (redis = nodes[0]);
                  } else {
                    let key;
                    to === "all" ? key = (0, utils_1.sample)(nodeKeys) : to === "slave" && nodeKeys.length > 1 ? key = (0, utils_1.sample)(nodeKeys, 1) : key = nodeKeys[0], redis = _this.connectionPool.getInstanceByKey(key);
                  }
                }
                asking && (redis = _this.connectionPool.getInstanceByKey(asking), redis.asking());
              }
              if (redis || (redis = (typeof to == "function" ? null : _this.connectionPool.getSampleInstance(to)) || _this.connectionPool.getSampleInstance("all")), redis && !_this.options.enableOfflineQueue && redis.status !== "ready" && redis.status !== "wait") {
                command.reject(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG));
                return;
              }
            }
            node && !node.redis && (node.redis = redis);
          }
          if (!redis && _this.options.enableOfflineQueue) {
            _this.offlineQueue.push({
              command,
              stream,
              node
            });
            return;
          }
          if (!redis) {
            command.reject(new Error("Cluster isn't ready and enableOfflineQueue options is false"));
            return;
          }
          redis.sendCommand(command, stream);
        }
        return command.promise;
      }
      sscanStream(key, options) {
        return this.createScanStream("sscan", { key, options });
      }
      sscanBufferStream(key, options) {
        return this.createScanStream("sscanBuffer", { key, options });
      }
      hscanStream(key, options) {
        return this.createScanStream("hscan", { key, options });
      }
      hscanBufferStream(key, options) {
        return this.createScanStream("hscanBuffer", { key, options });
      }
      zscanStream(key, options) {
        return this.createScanStream("zscan", { key, options });
      }
      zscanBufferStream(key, options) {
        return this.createScanStream("zscanBuffer", { key, options });
      }
      /**
       * @ignore
       */
      handleError(error, ttl, handlers) {
        if (typeof ttl.value > "u" ? ttl.value = this.options.maxRedirections : ttl.value -= 1, ttl.value <= 0) {
          handlers.maxRedirections(new Error("Too many Cluster redirections. Last error: " + error));
          return;
        }
        let errv = error.message.split(" ");
        if (errv[0] === "MOVED") {
          let timeout2 = this.options.retryDelayOnMoved;
          timeout2 && typeof timeout2 == "number" ? this.delayQueue.push("moved", handlers.moved.bind(null, errv[1], errv[2]), { timeout: timeout2 }) : handlers.moved(errv[1], errv[2]);
        } else errv[0] === "ASK" ? handlers.ask(errv[1], errv[2]) : errv[0] === "TRYAGAIN" ? this.delayQueue.push("tryagain", handlers.tryagain, {
          timeout: this.options.retryDelayOnTryAgain
        }) : errv[0] === "CLUSTERDOWN" && this.options.retryDelayOnClusterDown > 0 ? this.delayQueue.push("clusterdown", handlers.connectionClosed, {
          timeout: this.options.retryDelayOnClusterDown,
          callback: this.refreshSlotsCache.bind(this)
        }) : error.message === utils_1.CONNECTION_CLOSED_ERROR_MSG && this.options.retryDelayOnFailover > 0 && this.status === "ready" ? this.delayQueue.push("failover", handlers.connectionClosed, {
          timeout: this.options.retryDelayOnFailover,
          callback: this.refreshSlotsCache.bind(this)
        }) : handlers.defaults();
      }
      resetOfflineQueue() {
        this.offlineQueue = new Deque();
      }
      clearNodesRefreshInterval() {
        this.slotsTimer && (clearTimeout(this.slotsTimer), this.slotsTimer = null);
      }
      resetNodesRefreshInterval() {
        if (this.slotsTimer || !this.options.slotsRefreshInterval)
          return;
        let nextRound = () => {
          this.slotsTimer = setTimeout(() => {
            debug('refreshing slot caches... (triggered by "slotsRefreshInterval" option)'), this.refreshSlotsCache(() => {
              nextRound();
            });
          }, this.options.slotsRefreshInterval);
        };
        nextRound();
      }
      /**
       * Change cluster instance's status
       */
      setStatus(status) {
        debug("status: %s -> %s", this.status || "[empty]", status), this.status = status, process.nextTick(() => {
          this.emit(status);
        });
      }
      /**
       * Called when closed to check whether a reconnection should be made
       */
      handleCloseEvent(reason) {
        var _a;
        reason && debug("closed because %s", reason);
        let retryDelay;
        !this.manuallyClosing && typeof this.options.clusterRetryStrategy == "function" && (retryDelay = this.options.clusterRetryStrategy.call(this, ++this.retryAttempts, reason)), typeof retryDelay == "number" ? (this.setStatus("reconnecting"), this.reconnectTimeout = setTimeout(() => {
          this.reconnectTimeout = null, debug("Cluster is disconnected. Retrying after %dms", retryDelay), this.connect().catch(function(err) {
            debug("Got error %s when reconnecting. Ignoring...", err);
          });
        }, retryDelay)) : (this.options.shardedSubscribers && ((_a = this.subscriberGroupEmitter) === null || _a === void 0 || _a.removeAllListeners()), this.setStatus("end"), this.flushQueue(new Error("None of startup nodes is available")));
      }
      /**
       * Flush offline queue with error.
       */
      flushQueue(error) {
        let item;
        for (; item = this.offlineQueue.shift(); )
          item.command.reject(error);
      }
      executeOfflineCommands() {
        if (this.offlineQueue.length) {
          debug("send %d commands in offline queue", this.offlineQueue.length);
          let offlineQueue = this.offlineQueue;
          this.resetOfflineQueue();
          let item;
          for (; item = offlineQueue.shift(); )
            this.sendCommand(item.command, item.stream, item.node);
        }
      }
      natMapper(nodeKey) {
        let key = typeof nodeKey == "string" ? nodeKey : `${nodeKey.host}:${nodeKey.port}`, mapped = null;
        return this.options.natMap && typeof this.options.natMap == "function" ? mapped = this.options.natMap(key) : this.options.natMap && typeof this.options.natMap == "object" && (mapped = this.options.natMap[key]), mapped ? (debug("NAT mapping %s -> %O", key, mapped), Object.assign({}, mapped)) : typeof nodeKey == "string" ? (0, util_1.nodeKeyToRedisOptions)(nodeKey) : nodeKey;
      }
      getInfoFromNode(redis, callback) {
        if (!redis)
          return callback(new Error("Node is disconnected"));
        let duplicatedConnection = redis.duplicate({
          enableOfflineQueue: !0,
          enableReadyCheck: !1,
          retryStrategy: null,
          connectionName: (0, util_1.getConnectionName)("refresher", this.options.redisOptions && this.options.redisOptions.connectionName)
        });
        duplicatedConnection.on("error", utils_1.noop), duplicatedConnection.cluster("SLOTS", (0, utils_1.timeout)((err, result) => {
          if (duplicatedConnection.disconnect(), err)
            return debug("error encountered running CLUSTER.SLOTS: %s", err), callback(err);
          if (this.status === "disconnecting" || this.status === "close" || this.status === "end") {
            debug("ignore CLUSTER.SLOTS results (count: %d) since cluster status is %s", result.length, this.status), callback();
            return;
          }
          let nodes = [];
          debug("cluster slots result count: %d", result.length);
          for (let i = 0; i < result.length; ++i) {
            let items = result[i], slotRangeStart = items[0], slotRangeEnd = items[1], keys = [];
            for (let j2 = 2; j2 < items.length; j2++) {
              if (!items[j2][0])
                continue;
              let node = this.natMapper({
                host: items[j2][0],
                port: items[j2][1]
              });
              node.readOnly = j2 !== 2, nodes.push(node), keys.push(node.host + ":" + node.port);
            }
            debug("cluster slots result [%d]: slots %d~%d served by %s", i, slotRangeStart, slotRangeEnd, keys);
            for (let slot = slotRangeStart; slot <= slotRangeEnd; slot++)
              this.slots[slot] = keys;
          }
          this._groupsIds = /* @__PURE__ */ Object.create(null);
          let j = 0;
          for (let i = 0; i < 16384; i++) {
            let target = (this.slots[i] || []).join(";");
            if (!target.length) {
              this._groupsBySlot[i] = void 0;
              continue;
            }
            this._groupsIds[target] || (this._groupsIds[target] = ++j), this._groupsBySlot[i] = this._groupsIds[target];
          }
          this.connectionPool.reset(nodes), this.options.shardedSubscribers && this.shardedSubscribers.reset(this.slots, this.connectionPool.getNodes("all")).catch((err2) => {
            debug("Error while starting subscribers: %s", err2);
          }), callback();
        }, this.options.slotsRefreshTimeout));
      }
      invokeReadyDelayedCallbacks(err) {
        for (let c of this._readyDelayedCallbacks)
          process.nextTick(c, err);
        this._readyDelayedCallbacks = [];
      }
      /**
       * Check whether Cluster is able to process commands
       */
      readyCheck(callback) {
        this.cluster("INFO", (err, res) => {
          if (err)
            return callback(err);
          if (typeof res != "string")
            return callback();
          let state, lines = res.split(`\r
`);
          for (let i = 0; i < lines.length; ++i) {
            let parts = lines[i].split(":");
            if (parts[0] === "cluster_state") {
              state = parts[1];
              break;
            }
          }
          state === "fail" ? (debug("cluster state not ok (%s)", state), callback(null, state)) : callback();
        });
      }
      resolveSrv(hostname2) {
        return new Promise((resolve, reject) => {
          this.options.resolveSrv(hostname2, (err, records) => {
            if (err)
              return reject(err);
            let self2 = this, groupedRecords = (0, util_1.groupSrvRecords)(records), sortedKeys = Object.keys(groupedRecords).sort((a, b) => parseInt(a) - parseInt(b));
            function tryFirstOne(err2) {
              if (!sortedKeys.length)
                return reject(err2);
              let key = sortedKeys[0], group = groupedRecords[key], record = (0, util_1.weightSrvRecords)(group);
              group.records.length || sortedKeys.shift(), self2.dnsLookup(record.name).then((host) => resolve({
                host,
                port: record.port
              }), tryFirstOne);
            }
            tryFirstOne();
          });
        });
      }
      dnsLookup(hostname2) {
        return new Promise((resolve, reject) => {
          this.options.dnsLookup(hostname2, (err, address) => {
            err ? (debug("failed to resolve hostname %s to IP: %s", hostname2, err.message), reject(err)) : (debug("resolved hostname %s to IP %s", hostname2, address), resolve(address));
          });
        });
      }
      /**
       * Normalize startup nodes, and resolving hostnames to IPs.
       *
       * This process happens every time when #connect() is called since
       * #startupNodes and DNS records may chanage.
       */
      async resolveStartupNodeHostnames() {
        if (!Array.isArray(this.startupNodes) || this.startupNodes.length === 0)
          throw new Error("`startupNodes` should contain at least one node.");
        let startupNodes = (0, util_1.normalizeNodeOptions)(this.startupNodes), hostnames = (0, util_1.getUniqueHostnamesFromOptions)(startupNodes);
        if (hostnames.length === 0)
          return startupNodes;
        let configs = await Promise.all(hostnames.map((this.options.useSRVRecords ? this.resolveSrv : this.dnsLookup).bind(this))), hostnameToConfig = (0, utils_1.zipMap)(hostnames, configs);
        return startupNodes.map((node) => {
          let config = hostnameToConfig.get(node.host);
          return config ? this.options.useSRVRecords ? Object.assign({}, node, config) : Object.assign({}, node, { host: config }) : node;
        });
      }
      createScanStream(command, { key, options = {} }) {
        return new ScanStream_1.default({
          objectMode: !0,
          key,
          redis: this,
          command,
          ...options
        });
      }
      createShardedSubscriberGroup() {
        this.subscriberGroupEmitter = new events_1.EventEmitter(), this.shardedSubscribers = new ClusterSubscriberGroup_1.default(this.subscriberGroupEmitter, this.options);
        let refreshSlotsCacheCallback = (err) => {
          err instanceof ClusterAllFailedError_1.default && this.disconnect(!0);
        };
        this.subscriberGroupEmitter.on("-node", (redis, nodeKey) => {
          this.emit("-node", redis, nodeKey), this.refreshSlotsCache(refreshSlotsCacheCallback);
        }), this.subscriberGroupEmitter.on("subscriberConnectFailed", ({ delay, error }) => {
          this.emit("error", error), setTimeout(() => {
            this.refreshSlotsCache(refreshSlotsCacheCallback);
          }, delay);
        }), this.subscriberGroupEmitter.on("moved", () => {
          this.refreshSlotsCache(refreshSlotsCacheCallback);
        }), this.subscriberGroupEmitter.on("-subscriber", () => {
          this.emit("-subscriber");
        }), this.subscriberGroupEmitter.on("+subscriber", () => {
          this.emit("+subscriber");
        }), this.subscriberGroupEmitter.on("nodeError", (error, nodeKey) => {
          this.emit("nodeError", error, nodeKey);
        }), this.subscriberGroupEmitter.on("subscribersReady", () => {
          this.emit("subscribersReady");
        });
        for (let event of ["smessage", "smessageBuffer"])
          this.subscriberGroupEmitter.on(event, (arg1, arg2, arg3) => {
            this.emit(event, arg1, arg2, arg3);
          });
      }
    };
    (0, applyMixin_1.default)(Cluster, events_1.EventEmitter);
    (0, transaction_1.addTransactionSupport)(Cluster.prototype);
    exports2.default = Cluster;
  }
});

// ../../../node_modules/ioredis/built/connectors/AbstractConnector.js
var require_AbstractConnector = __commonJS({
  "../../../node_modules/ioredis/built/connectors/AbstractConnector.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var utils_1 = require_utils2(), debug = (0, utils_1.Debug)("AbstractConnector"), AbstractConnector = class {
      constructor(disconnectTimeout) {
        this.connecting = !1, this.disconnectTimeout = disconnectTimeout;
      }
      check(info) {
        return !0;
      }
      disconnect() {
        if (this.connecting = !1, this.stream) {
          let stream = this.stream, timeout2 = setTimeout(() => {
            debug("stream %s:%s still open, destroying it", stream.remoteAddress, stream.remotePort), stream.destroy();
          }, this.disconnectTimeout);
          stream.on("close", () => clearTimeout(timeout2)), stream.end();
        }
      }
    };
    exports2.default = AbstractConnector;
  }
});

// ../../../node_modules/ioredis/built/connectors/StandaloneConnector.js
var require_StandaloneConnector = __commonJS({
  "../../../node_modules/ioredis/built/connectors/StandaloneConnector.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var net_1 = require("net"), tls_1 = require("tls"), utils_1 = require_utils2(), AbstractConnector_1 = require_AbstractConnector(), StandaloneConnector = class extends AbstractConnector_1.default {
      constructor(options) {
        super(options.disconnectTimeout), this.options = options;
      }
      connect(_) {
        let { options } = this;
        this.connecting = !0;
        let connectionOptions;
        return "path" in options && options.path ? connectionOptions = {
          path: options.path
        } : (connectionOptions = {}, "port" in options && options.port != null && (connectionOptions.port = options.port), "host" in options && options.host != null && (connectionOptions.host = options.host), "family" in options && options.family != null && (connectionOptions.family = options.family)), options.tls && Object.assign(connectionOptions, options.tls), new Promise((resolve, reject) => {
          process.nextTick(() => {
            if (!this.connecting) {
              reject(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG));
              return;
            }
            try {
              options.tls ? this.stream = (0, tls_1.connect)(connectionOptions) : this.stream = (0, net_1.createConnection)(connectionOptions);
            } catch (err) {
              reject(err);
              return;
            }
            this.stream.once("error", (err) => {
              this.firstError = err;
            }), resolve(this.stream);
          });
        });
      }
    };
    exports2.default = StandaloneConnector;
  }
});

// ../../../node_modules/ioredis/built/connectors/SentinelConnector/SentinelIterator.js
var require_SentinelIterator = __commonJS({
  "../../../node_modules/ioredis/built/connectors/SentinelConnector/SentinelIterator.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    function isSentinelEql(a, b) {
      return (a.host || "127.0.0.1") === (b.host || "127.0.0.1") && (a.port || 26379) === (b.port || 26379);
    }
    var SentinelIterator = class {
      constructor(sentinels) {
        this.cursor = 0, this.sentinels = sentinels.slice(0);
      }
      next() {
        let done = this.cursor >= this.sentinels.length;
        return { done, value: done ? void 0 : this.sentinels[this.cursor++] };
      }
      reset(moveCurrentEndpointToFirst) {
        moveCurrentEndpointToFirst && this.sentinels.length > 1 && this.cursor !== 1 && this.sentinels.unshift(...this.sentinels.splice(this.cursor - 1)), this.cursor = 0;
      }
      add(sentinel) {
        for (let i = 0; i < this.sentinels.length; i++)
          if (isSentinelEql(sentinel, this.sentinels[i]))
            return !1;
        return this.sentinels.push(sentinel), !0;
      }
      toString() {
        return `${JSON.stringify(this.sentinels)} @${this.cursor}`;
      }
    };
    exports2.default = SentinelIterator;
  }
});

// ../../../node_modules/ioredis/built/connectors/SentinelConnector/FailoverDetector.js
var require_FailoverDetector = __commonJS({
  "../../../node_modules/ioredis/built/connectors/SentinelConnector/FailoverDetector.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.FailoverDetector = void 0;
    var utils_1 = require_utils2(), debug = (0, utils_1.Debug)("FailoverDetector"), CHANNEL_NAME = "+switch-master", FailoverDetector = class {
      // sentinels can't be used for regular commands after this
      constructor(connector, sentinels) {
        this.isDisconnected = !1, this.connector = connector, this.sentinels = sentinels;
      }
      cleanup() {
        this.isDisconnected = !0;
        for (let sentinel of this.sentinels)
          sentinel.client.disconnect();
      }
      async subscribe() {
        debug("Starting FailoverDetector");
        let promises = [];
        for (let sentinel of this.sentinels) {
          let promise = sentinel.client.subscribe(CHANNEL_NAME).catch((err) => {
            debug("Failed to subscribe to failover messages on sentinel %s:%s (%s)", sentinel.address.host || "127.0.0.1", sentinel.address.port || 26739, err.message);
          });
          promises.push(promise), sentinel.client.on("message", (channel) => {
            !this.isDisconnected && channel === CHANNEL_NAME && this.disconnect();
          });
        }
        await Promise.all(promises);
      }
      disconnect() {
        this.isDisconnected = !0, debug("Failover detected, disconnecting"), this.connector.disconnect();
      }
    };
    exports2.FailoverDetector = FailoverDetector;
  }
});

// ../../../node_modules/ioredis/built/connectors/SentinelConnector/index.js
var require_SentinelConnector = __commonJS({
  "../../../node_modules/ioredis/built/connectors/SentinelConnector/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.SentinelIterator = void 0;
    var net_1 = require("net"), utils_1 = require_utils2(), tls_1 = require("tls"), SentinelIterator_1 = require_SentinelIterator();
    exports2.SentinelIterator = SentinelIterator_1.default;
    var AbstractConnector_1 = require_AbstractConnector(), Redis_1 = require_Redis(), FailoverDetector_1 = require_FailoverDetector(), debug = (0, utils_1.Debug)("SentinelConnector"), SentinelConnector = class extends AbstractConnector_1.default {
      constructor(options) {
        if (super(options.disconnectTimeout), this.options = options, this.emitter = null, this.failoverDetector = null, !this.options.sentinels.length)
          throw new Error("Requires at least one sentinel to connect to.");
        if (!this.options.name)
          throw new Error("Requires the name of master.");
        this.sentinelIterator = new SentinelIterator_1.default(this.options.sentinels);
      }
      check(info) {
        let roleMatches = !info.role || this.options.role === info.role;
        return roleMatches || (debug("role invalid, expected %s, but got %s", this.options.role, info.role), this.sentinelIterator.next(), this.sentinelIterator.next(), this.sentinelIterator.reset(!0)), roleMatches;
      }
      disconnect() {
        super.disconnect(), this.failoverDetector && this.failoverDetector.cleanup();
      }
      connect(eventEmitter) {
        this.connecting = !0, this.retryAttempts = 0;
        let lastError2, connectToNext = async () => {
          let endpoint = this.sentinelIterator.next();
          if (endpoint.done) {
            this.sentinelIterator.reset(!1);
            let retryDelay = typeof this.options.sentinelRetryStrategy == "function" ? this.options.sentinelRetryStrategy(++this.retryAttempts) : null, errorMsg = typeof retryDelay != "number" ? "All sentinels are unreachable and retry is disabled." : `All sentinels are unreachable. Retrying from scratch after ${retryDelay}ms.`;
            lastError2 && (errorMsg += ` Last error: ${lastError2.message}`), debug(errorMsg);
            let error = new Error(errorMsg);
            if (typeof retryDelay == "number")
              return eventEmitter("error", error), await new Promise((resolve) => setTimeout(resolve, retryDelay)), connectToNext();
            throw error;
          }
          let resolved = null, err = null;
          try {
            resolved = await this.resolve(endpoint.value);
          } catch (error) {
            err = error;
          }
          if (!this.connecting)
            throw new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG);
          let endpointAddress = endpoint.value.host + ":" + endpoint.value.port;
          if (resolved)
            return debug("resolved: %s:%s from sentinel %s", resolved.host, resolved.port, endpointAddress), this.options.enableTLSForSentinelMode && this.options.tls ? (Object.assign(resolved, this.options.tls), this.stream = (0, tls_1.connect)(resolved), this.stream.once("secureConnect", this.initFailoverDetector.bind(this))) : (this.stream = (0, net_1.createConnection)(resolved), this.stream.once("connect", this.initFailoverDetector.bind(this))), this.stream.once("error", (err2) => {
              this.firstError = err2;
            }), this.stream;
          {
            let errorMsg = err ? "failed to connect to sentinel " + endpointAddress + " because " + err.message : "connected to sentinel " + endpointAddress + " successfully, but got an invalid reply: " + resolved;
            return debug(errorMsg), eventEmitter("sentinelError", new Error(errorMsg)), err && (lastError2 = err), connectToNext();
          }
        };
        return connectToNext();
      }
      async updateSentinels(client) {
        if (!this.options.updateSentinels)
          return;
        let result = await client.sentinel("sentinels", this.options.name);
        Array.isArray(result) && (result.map(utils_1.packObject).forEach((sentinel) => {
          if ((sentinel.flags ? sentinel.flags.split(",") : []).indexOf("disconnected") === -1 && sentinel.ip && sentinel.port) {
            let endpoint = this.sentinelNatResolve(addressResponseToAddress(sentinel));
            this.sentinelIterator.add(endpoint) && debug("adding sentinel %s:%s", endpoint.host, endpoint.port);
          }
        }), debug("Updated internal sentinels: %s", this.sentinelIterator));
      }
      async resolveMaster(client) {
        let result = await client.sentinel("get-master-addr-by-name", this.options.name);
        return await this.updateSentinels(client), this.sentinelNatResolve(Array.isArray(result) ? { host: result[0], port: Number(result[1]) } : null);
      }
      async resolveSlave(client) {
        let result = await client.sentinel("slaves", this.options.name);
        if (!Array.isArray(result))
          return null;
        let availableSlaves = result.map(utils_1.packObject).filter((slave) => slave.flags && !slave.flags.match(/(disconnected|s_down|o_down)/));
        return this.sentinelNatResolve(selectPreferredSentinel(availableSlaves, this.options.preferredSlaves));
      }
      sentinelNatResolve(item) {
        if (!item || !this.options.natMap)
          return item;
        let key = `${item.host}:${item.port}`, result = item;
        return typeof this.options.natMap == "function" ? result = this.options.natMap(key) || item : typeof this.options.natMap == "object" && (result = this.options.natMap[key] || item), result;
      }
      connectToSentinel(endpoint, options) {
        return new Redis_1.default({
          port: endpoint.port || 26379,
          host: endpoint.host,
          username: this.options.sentinelUsername || null,
          password: this.options.sentinelPassword || null,
          family: endpoint.family || // @ts-expect-error
          ("path" in this.options && this.options.path ? void 0 : (
            // @ts-expect-error
            this.options.family
          )),
          tls: this.options.sentinelTLS,
          retryStrategy: null,
          enableReadyCheck: !1,
          connectTimeout: this.options.connectTimeout,
          commandTimeout: this.options.sentinelCommandTimeout,
          ...options
        });
      }
      async resolve(endpoint) {
        let client = this.connectToSentinel(endpoint);
        client.on("error", noop);
        try {
          return this.options.role === "slave" ? await this.resolveSlave(client) : await this.resolveMaster(client);
        } finally {
          client.disconnect();
        }
      }
      async initFailoverDetector() {
        var _a;
        if (!this.options.failoverDetector)
          return;
        this.sentinelIterator.reset(!0);
        let sentinels = [];
        for (; sentinels.length < this.options.sentinelMaxConnections; ) {
          let { done, value } = this.sentinelIterator.next();
          if (done)
            break;
          let client = this.connectToSentinel(value, {
            lazyConnect: !0,
            retryStrategy: this.options.sentinelReconnectStrategy
          });
          client.on("reconnecting", () => {
            var _a2;
            (_a2 = this.emitter) === null || _a2 === void 0 || _a2.emit("sentinelReconnecting");
          }), sentinels.push({ address: value, client });
        }
        this.sentinelIterator.reset(!1), this.failoverDetector && this.failoverDetector.cleanup(), this.failoverDetector = new FailoverDetector_1.FailoverDetector(this, sentinels), await this.failoverDetector.subscribe(), (_a = this.emitter) === null || _a === void 0 || _a.emit("failoverSubscribed");
      }
    };
    exports2.default = SentinelConnector;
    function selectPreferredSentinel(availableSlaves, preferredSlaves) {
      if (availableSlaves.length === 0)
        return null;
      let selectedSlave;
      if (typeof preferredSlaves == "function")
        selectedSlave = preferredSlaves(availableSlaves);
      else if (preferredSlaves !== null && typeof preferredSlaves == "object") {
        let preferredSlavesArray = Array.isArray(preferredSlaves) ? preferredSlaves : [preferredSlaves];
        preferredSlavesArray.sort((a, b) => (a.prio || (a.prio = 1), b.prio || (b.prio = 1), a.prio < b.prio ? -1 : a.prio > b.prio ? 1 : 0));
        for (let p = 0; p < preferredSlavesArray.length; p++) {
          for (let a = 0; a < availableSlaves.length; a++) {
            let slave = availableSlaves[a];
            if (slave.ip === preferredSlavesArray[p].ip && slave.port === preferredSlavesArray[p].port) {
              selectedSlave = slave;
              break;
            }
          }
          if (selectedSlave)
            break;
        }
      }
      return selectedSlave || (selectedSlave = (0, utils_1.sample)(availableSlaves)), addressResponseToAddress(selectedSlave);
    }
    function addressResponseToAddress(input) {
      return { host: input.ip, port: Number(input.port) };
    }
    function noop() {
    }
  }
});

// ../../../node_modules/ioredis/built/connectors/index.js
var require_connectors = __commonJS({
  "../../../node_modules/ioredis/built/connectors/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.SentinelConnector = exports2.StandaloneConnector = void 0;
    var StandaloneConnector_1 = require_StandaloneConnector();
    exports2.StandaloneConnector = StandaloneConnector_1.default;
    var SentinelConnector_1 = require_SentinelConnector();
    exports2.SentinelConnector = SentinelConnector_1.default;
  }
});

// ../../../node_modules/ioredis/built/errors/MaxRetriesPerRequestError.js
var require_MaxRetriesPerRequestError = __commonJS({
  "../../../node_modules/ioredis/built/errors/MaxRetriesPerRequestError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var redis_errors_1 = require_redis_errors(), MaxRetriesPerRequestError = class extends redis_errors_1.AbortError {
      constructor(maxRetriesPerRequest) {
        let message = `Reached the max retries per request limit (which is ${maxRetriesPerRequest}). Refer to "maxRetriesPerRequest" option for details.`;
        super(message), Error.captureStackTrace(this, this.constructor);
      }
      get name() {
        return this.constructor.name;
      }
    };
    exports2.default = MaxRetriesPerRequestError;
  }
});

// ../../../node_modules/ioredis/built/errors/index.js
var require_errors = __commonJS({
  "../../../node_modules/ioredis/built/errors/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.MaxRetriesPerRequestError = void 0;
    var MaxRetriesPerRequestError_1 = require_MaxRetriesPerRequestError();
    exports2.MaxRetriesPerRequestError = MaxRetriesPerRequestError_1.default;
  }
});

// ../../../node_modules/redis-parser/lib/parser.js
var require_parser = __commonJS({
  "../../../node_modules/redis-parser/lib/parser.js"(exports2, module2) {
    "use strict";
    var Buffer2 = require("buffer").Buffer, StringDecoder = require("string_decoder").StringDecoder, decoder = new StringDecoder(), errors = require_redis_errors(), ReplyError = errors.ReplyError, ParserError = errors.ParserError, bufferPool = Buffer2.allocUnsafe(32 * 1024), bufferOffset = 0, interval = null, counter = 0, notDecreased = 0;
    function parseSimpleNumbers(parser) {
      let length = parser.buffer.length - 1;
      var offset = parser.offset, number = 0, sign = 1;
      for (parser.buffer[offset] === 45 && (sign = -1, offset++); offset < length; ) {
        let c1 = parser.buffer[offset++];
        if (c1 === 13)
          return parser.offset = offset + 1, sign * number;
        number = number * 10 + (c1 - 48);
      }
    }
    function parseStringNumbers(parser) {
      let length = parser.buffer.length - 1;
      var offset = parser.offset, number = 0, res = "";
      for (parser.buffer[offset] === 45 && (res += "-", offset++); offset < length; ) {
        var c1 = parser.buffer[offset++];
        if (c1 === 13)
          return parser.offset = offset + 1, number !== 0 && (res += number), res;
        number > 429496728 ? (res += number * 10 + (c1 - 48), number = 0) : c1 === 48 && number === 0 ? res += 0 : number = number * 10 + (c1 - 48);
      }
    }
    function parseSimpleString(parser) {
      let start2 = parser.offset, buffer = parser.buffer, length = buffer.length - 1;
      for (var offset = start2; offset < length; )
        if (buffer[offset++] === 13)
          return parser.offset = offset + 1, parser.optionReturnBuffers === !0 ? parser.buffer.slice(start2, offset - 1) : parser.buffer.toString("utf8", start2, offset - 1);
    }
    function parseLength(parser) {
      let length = parser.buffer.length - 1;
      for (var offset = parser.offset, number = 0; offset < length; ) {
        let c1 = parser.buffer[offset++];
        if (c1 === 13)
          return parser.offset = offset + 1, number;
        number = number * 10 + (c1 - 48);
      }
    }
    function parseInteger(parser) {
      return parser.optionStringNumbers === !0 ? parseStringNumbers(parser) : parseSimpleNumbers(parser);
    }
    function parseBulkString(parser) {
      let length = parseLength(parser);
      if (length === void 0)
        return;
      if (length < 0)
        return null;
      let offset = parser.offset + length;
      if (offset + 2 > parser.buffer.length) {
        parser.bigStrSize = offset + 2, parser.totalChunkSize = parser.buffer.length, parser.bufferCache.push(parser.buffer);
        return;
      }
      let start2 = parser.offset;
      return parser.offset = offset + 2, parser.optionReturnBuffers === !0 ? parser.buffer.slice(start2, offset) : parser.buffer.toString("utf8", start2, offset);
    }
    function parseError(parser) {
      var string = parseSimpleString(parser);
      if (string !== void 0)
        return parser.optionReturnBuffers === !0 && (string = string.toString()), new ReplyError(string);
    }
    function handleError(parser, type) {
      let err = new ParserError(
        "Protocol error, got " + JSON.stringify(String.fromCharCode(type)) + " as reply type byte",
        JSON.stringify(parser.buffer),
        parser.offset
      );
      parser.buffer = null, parser.returnFatalError(err);
    }
    function parseArray(parser) {
      let length = parseLength(parser);
      if (length === void 0)
        return;
      if (length < 0)
        return null;
      let responses = new Array(length);
      return parseArrayElements(parser, responses, 0);
    }
    function pushArrayCache(parser, array, pos) {
      parser.arrayCache.push(array), parser.arrayPos.push(pos);
    }
    function parseArrayChunks(parser) {
      let tmp = parser.arrayCache.pop();
      var pos = parser.arrayPos.pop();
      if (parser.arrayCache.length) {
        let res = parseArrayChunks(parser);
        if (res === void 0) {
          pushArrayCache(parser, tmp, pos);
          return;
        }
        tmp[pos++] = res;
      }
      return parseArrayElements(parser, tmp, pos);
    }
    function parseArrayElements(parser, responses, i) {
      let bufferLength = parser.buffer.length;
      for (; i < responses.length; ) {
        let offset = parser.offset;
        if (parser.offset >= bufferLength) {
          pushArrayCache(parser, responses, i);
          return;
        }
        let response = parseType(parser, parser.buffer[parser.offset++]);
        if (response === void 0) {
          parser.arrayCache.length || parser.bufferCache.length || (parser.offset = offset), pushArrayCache(parser, responses, i);
          return;
        }
        responses[i] = response, i++;
      }
      return responses;
    }
    function parseType(parser, type) {
      switch (type) {
        case 36:
          return parseBulkString(parser);
        case 43:
          return parseSimpleString(parser);
        case 42:
          return parseArray(parser);
        case 58:
          return parseInteger(parser);
        case 45:
          return parseError(parser);
        default:
          return handleError(parser, type);
      }
    }
    function decreaseBufferPool() {
      if (bufferPool.length > 50 * 1024)
        if (counter === 1 || notDecreased > counter * 2) {
          let minSliceLen = Math.floor(bufferPool.length / 10), sliceLength = minSliceLen < bufferOffset ? bufferOffset : minSliceLen;
          bufferOffset = 0, bufferPool = bufferPool.slice(sliceLength, bufferPool.length);
        } else
          notDecreased++, counter--;
      else
        clearInterval(interval), counter = 0, notDecreased = 0, interval = null;
    }
    function resizeBuffer(length) {
      if (bufferPool.length < length + bufferOffset) {
        let multiplier = length > 78643200 ? 2 : 3;
        bufferOffset > 1024 * 1024 * 111 && (bufferOffset = 1024 * 1024 * 50), bufferPool = Buffer2.allocUnsafe(length * multiplier + bufferOffset), bufferOffset = 0, counter++, interval === null && (interval = setInterval(decreaseBufferPool, 50));
      }
    }
    function concatBulkString(parser) {
      let list = parser.bufferCache, oldOffset = parser.offset;
      var chunks = list.length, offset = parser.bigStrSize - parser.totalChunkSize;
      if (parser.offset = offset, offset <= 2) {
        if (chunks === 2)
          return list[0].toString("utf8", oldOffset, list[0].length + offset - 2);
        chunks--, offset = list[list.length - 2].length + offset;
      }
      for (var res = decoder.write(list[0].slice(oldOffset)), i = 1; i < chunks - 1; i++)
        res += decoder.write(list[i]);
      return res += decoder.end(list[i].slice(0, offset - 2)), res;
    }
    function concatBulkBuffer(parser) {
      let list = parser.bufferCache, oldOffset = parser.offset, length = parser.bigStrSize - oldOffset - 2;
      var chunks = list.length, offset = parser.bigStrSize - parser.totalChunkSize;
      if (parser.offset = offset, offset <= 2) {
        if (chunks === 2)
          return list[0].slice(oldOffset, list[0].length + offset - 2);
        chunks--, offset = list[list.length - 2].length + offset;
      }
      resizeBuffer(length);
      let start2 = bufferOffset;
      list[0].copy(bufferPool, start2, oldOffset, list[0].length), bufferOffset += list[0].length - oldOffset;
      for (var i = 1; i < chunks - 1; i++)
        list[i].copy(bufferPool, bufferOffset), bufferOffset += list[i].length;
      return list[i].copy(bufferPool, bufferOffset, 0, offset - 2), bufferOffset += offset - 2, bufferPool.slice(start2, bufferOffset);
    }
    var JavascriptRedisParser = class {
      /**
       * Javascript Redis Parser constructor
       * @param {{returnError: Function, returnReply: Function, returnFatalError?: Function, returnBuffers: boolean, stringNumbers: boolean }} options
       * @constructor
       */
      constructor(options) {
        if (!options)
          throw new TypeError("Options are mandatory.");
        if (typeof options.returnError != "function" || typeof options.returnReply != "function")
          throw new TypeError("The returnReply and returnError options have to be functions.");
        this.setReturnBuffers(!!options.returnBuffers), this.setStringNumbers(!!options.stringNumbers), this.returnError = options.returnError, this.returnFatalError = options.returnFatalError || options.returnError, this.returnReply = options.returnReply, this.reset();
      }
      /**
       * Reset the parser values to the initial state
       *
       * @returns {undefined}
       */
      reset() {
        this.offset = 0, this.buffer = null, this.bigStrSize = 0, this.totalChunkSize = 0, this.bufferCache = [], this.arrayCache = [], this.arrayPos = [];
      }
      /**
       * Set the returnBuffers option
       *
       * @param {boolean} returnBuffers
       * @returns {undefined}
       */
      setReturnBuffers(returnBuffers) {
        if (typeof returnBuffers != "boolean")
          throw new TypeError("The returnBuffers argument has to be a boolean");
        this.optionReturnBuffers = returnBuffers;
      }
      /**
       * Set the stringNumbers option
       *
       * @param {boolean} stringNumbers
       * @returns {undefined}
       */
      setStringNumbers(stringNumbers) {
        if (typeof stringNumbers != "boolean")
          throw new TypeError("The stringNumbers argument has to be a boolean");
        this.optionStringNumbers = stringNumbers;
      }
      /**
       * Parse the redis buffer
       * @param {Buffer} buffer
       * @returns {undefined}
       */
      execute(buffer) {
        if (this.buffer === null)
          this.buffer = buffer, this.offset = 0;
        else if (this.bigStrSize === 0) {
          let oldLength = this.buffer.length, remainingLength = oldLength - this.offset, newBuffer = Buffer2.allocUnsafe(remainingLength + buffer.length);
          if (this.buffer.copy(newBuffer, 0, this.offset, oldLength), buffer.copy(newBuffer, remainingLength, 0, buffer.length), this.buffer = newBuffer, this.offset = 0, this.arrayCache.length) {
            let arr = parseArrayChunks(this);
            if (arr === void 0)
              return;
            this.returnReply(arr);
          }
        } else if (this.totalChunkSize + buffer.length >= this.bigStrSize) {
          this.bufferCache.push(buffer);
          var tmp = this.optionReturnBuffers ? concatBulkBuffer(this) : concatBulkString(this);
          if (this.bigStrSize = 0, this.bufferCache = [], this.buffer = buffer, this.arrayCache.length && (this.arrayCache[0][this.arrayPos[0]++] = tmp, tmp = parseArrayChunks(this), tmp === void 0))
            return;
          this.returnReply(tmp);
        } else {
          this.bufferCache.push(buffer), this.totalChunkSize += buffer.length;
          return;
        }
        for (; this.offset < this.buffer.length; ) {
          let offset = this.offset, type = this.buffer[this.offset++], response = parseType(this, type);
          if (response === void 0) {
            this.arrayCache.length || this.bufferCache.length || (this.offset = offset);
            return;
          }
          type === 45 ? this.returnError(response) : this.returnReply(response);
        }
        this.buffer = null;
      }
    };
    module2.exports = JavascriptRedisParser;
  }
});

// ../../../node_modules/redis-parser/index.js
var require_redis_parser = __commonJS({
  "../../../node_modules/redis-parser/index.js"(exports2, module2) {
    "use strict";
    module2.exports = require_parser();
  }
});

// ../../../node_modules/ioredis/built/SubscriptionSet.js
var require_SubscriptionSet = __commonJS({
  "../../../node_modules/ioredis/built/SubscriptionSet.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var SubscriptionSet = class {
      constructor() {
        this.set = {
          subscribe: {},
          psubscribe: {},
          ssubscribe: {}
        };
      }
      add(set, channel) {
        this.set[mapSet(set)][channel] = !0;
      }
      del(set, channel) {
        delete this.set[mapSet(set)][channel];
      }
      channels(set) {
        return Object.keys(this.set[mapSet(set)]);
      }
      isEmpty() {
        return this.channels("subscribe").length === 0 && this.channels("psubscribe").length === 0 && this.channels("ssubscribe").length === 0;
      }
    };
    exports2.default = SubscriptionSet;
    function mapSet(set) {
      return set === "unsubscribe" ? "subscribe" : set === "punsubscribe" ? "psubscribe" : set === "sunsubscribe" ? "ssubscribe" : set;
    }
  }
});

// ../../../node_modules/ioredis/built/DataHandler.js
var require_DataHandler = __commonJS({
  "../../../node_modules/ioredis/built/DataHandler.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var Command_1 = require_Command(), utils_1 = require_utils2(), RedisParser = require_redis_parser(), SubscriptionSet_1 = require_SubscriptionSet(), debug = (0, utils_1.Debug)("dataHandler"), DataHandler = class {
      constructor(redis, parserOptions) {
        this.redis = redis;
        let parser = new RedisParser({
          stringNumbers: parserOptions.stringNumbers,
          returnBuffers: !0,
          returnError: (err) => {
            this.returnError(err);
          },
          returnFatalError: (err) => {
            this.returnFatalError(err);
          },
          returnReply: (reply) => {
            this.returnReply(reply);
          }
        });
        redis.stream.prependListener("data", (data) => {
          parser.execute(data);
        }), redis.stream.resume();
      }
      returnFatalError(err) {
        err.message += ". Please report this.", this.redis.recoverFromFatalError(err, err, { offlineQueue: !1 });
      }
      returnError(err) {
        let item = this.shiftCommand(err);
        if (item) {
          if (err.command = {
            name: item.command.name,
            args: item.command.args
          }, item.command.name == "ssubscribe" && err.message.includes("MOVED")) {
            this.redis.emit("moved");
            return;
          }
          this.redis.handleReconnection(err, item);
        }
      }
      returnReply(reply) {
        if (this.handleMonitorReply(reply) || this.handleSubscriberReply(reply))
          return;
        let item = this.shiftCommand(reply);
        item && (Command_1.default.checkFlag("ENTER_SUBSCRIBER_MODE", item.command.name) ? (this.redis.condition.subscriber = new SubscriptionSet_1.default(), this.redis.condition.subscriber.add(item.command.name, reply[1].toString()), fillSubCommand(item.command, reply[2]) || this.redis.commandQueue.unshift(item)) : Command_1.default.checkFlag("EXIT_SUBSCRIBER_MODE", item.command.name) ? fillUnsubCommand(item.command, reply[2]) || this.redis.commandQueue.unshift(item) : item.command.resolve(reply));
      }
      handleSubscriberReply(reply) {
        if (!this.redis.condition.subscriber)
          return !1;
        let replyType = Array.isArray(reply) ? reply[0].toString() : null;
        switch (debug('receive reply "%s" in subscriber mode', replyType), replyType) {
          case "message":
            this.redis.listeners("message").length > 0 && this.redis.emit("message", reply[1].toString(), reply[2] ? reply[2].toString() : ""), this.redis.emit("messageBuffer", reply[1], reply[2]);
            break;
          case "pmessage": {
            let pattern = reply[1].toString();
            this.redis.listeners("pmessage").length > 0 && this.redis.emit("pmessage", pattern, reply[2].toString(), reply[3].toString()), this.redis.emit("pmessageBuffer", pattern, reply[2], reply[3]);
            break;
          }
          case "smessage": {
            this.redis.listeners("smessage").length > 0 && this.redis.emit("smessage", reply[1].toString(), reply[2] ? reply[2].toString() : ""), this.redis.emit("smessageBuffer", reply[1], reply[2]);
            break;
          }
          case "ssubscribe":
          case "subscribe":
          case "psubscribe": {
            let channel = reply[1].toString();
            this.redis.condition.subscriber.add(replyType, channel);
            let item = this.shiftCommand(reply);
            if (!item)
              return;
            fillSubCommand(item.command, reply[2]) || this.redis.commandQueue.unshift(item);
            break;
          }
          case "sunsubscribe":
          case "unsubscribe":
          case "punsubscribe": {
            let channel = reply[1] ? reply[1].toString() : null;
            channel && this.redis.condition.subscriber.del(replyType, channel);
            let count = reply[2];
            Number(count) === 0 && (this.redis.condition.subscriber = !1);
            let item = this.shiftCommand(reply);
            if (!item)
              return;
            fillUnsubCommand(item.command, count) || this.redis.commandQueue.unshift(item);
            break;
          }
          default: {
            let item = this.shiftCommand(reply);
            if (!item)
              return;
            item.command.resolve(reply);
          }
        }
        return !0;
      }
      handleMonitorReply(reply) {
        if (this.redis.status !== "monitoring")
          return !1;
        let replyStr = reply.toString();
        if (replyStr === "OK")
          return !1;
        let len = replyStr.indexOf(" "), timestamp = replyStr.slice(0, len), argIndex = replyStr.indexOf('"'), args = replyStr.slice(argIndex + 1, -1).split('" "').map((elem) => elem.replace(/\\"/g, '"')), dbAndSource = replyStr.slice(len + 2, argIndex - 2).split(" ");
        return this.redis.emit("monitor", timestamp, args, dbAndSource[1], dbAndSource[0]), !0;
      }
      shiftCommand(reply) {
        let item = this.redis.commandQueue.shift();
        if (!item) {
          let message = "Command queue state error. If you can reproduce this, please report it.", error = new Error(message + (reply instanceof Error ? ` Last error: ${reply.message}` : ` Last reply: ${reply.toString()}`));
          return this.redis.emit("error", error), null;
        }
        return item;
      }
    };
    exports2.default = DataHandler;
    var remainingRepliesMap = /* @__PURE__ */ new WeakMap();
    function fillSubCommand(command, count) {
      let remainingReplies = remainingRepliesMap.has(command) ? remainingRepliesMap.get(command) : command.args.length;
      return remainingReplies -= 1, remainingReplies <= 0 ? (command.resolve(count), remainingRepliesMap.delete(command), !0) : (remainingRepliesMap.set(command, remainingReplies), !1);
    }
    function fillUnsubCommand(command, count) {
      let remainingReplies = remainingRepliesMap.has(command) ? remainingRepliesMap.get(command) : command.args.length;
      return remainingReplies === 0 ? Number(count) === 0 ? (remainingRepliesMap.delete(command), command.resolve(count), !0) : !1 : (remainingReplies -= 1, remainingReplies <= 0 ? (command.resolve(count), !0) : (remainingRepliesMap.set(command, remainingReplies), !1));
    }
  }
});

// ../../../node_modules/ioredis/built/redis/event_handler.js
var require_event_handler = __commonJS({
  "../../../node_modules/ioredis/built/redis/event_handler.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.readyHandler = exports2.errorHandler = exports2.closeHandler = exports2.connectHandler = void 0;
    var redis_errors_1 = require_redis_errors(), Command_1 = require_Command(), errors_1 = require_errors(), utils_1 = require_utils2(), DataHandler_1 = require_DataHandler(), debug = (0, utils_1.Debug)("connection");
    function connectHandler(self2) {
      return function() {
        var _a;
        self2.setStatus("connect"), self2.resetCommandQueue();
        let flushed = !1, { connectionEpoch } = self2;
        self2.condition.auth && self2.auth(self2.condition.auth, function(err) {
          connectionEpoch === self2.connectionEpoch && err && (err.message.indexOf("no password is set") !== -1 ? console.warn("[WARN] Redis server does not require a password, but a password was supplied.") : err.message.indexOf("without any password configured for the default user") !== -1 ? console.warn("[WARN] This Redis server's `default` user does not require a password, but a password was supplied") : err.message.indexOf("wrong number of arguments for 'auth' command") !== -1 ? console.warn(`[ERROR] The server returned "wrong number of arguments for 'auth' command". You are probably passing both username and password to Redis version 5 or below. You should only pass the 'password' option for Redis version 5 and under.`) : (flushed = !0, self2.recoverFromFatalError(err, err)));
        }), self2.condition.select && self2.select(self2.condition.select).catch((err) => {
          self2.silentEmit("error", err);
        }), new DataHandler_1.default(self2, {
          stringNumbers: self2.options.stringNumbers
        });
        let clientCommandPromises = [];
        self2.options.connectionName && (debug("set the connection name [%s]", self2.options.connectionName), clientCommandPromises.push(self2.client("setname", self2.options.connectionName).catch(utils_1.noop))), self2.options.disableClientInfo || (debug("set the client info"), clientCommandPromises.push((0, utils_1.getPackageMeta)().then((packageMeta) => self2.client("SETINFO", "LIB-VER", packageMeta.version).catch(utils_1.noop)).catch(utils_1.noop)), clientCommandPromises.push(self2.client("SETINFO", "LIB-NAME", !((_a = self2.options) === null || _a === void 0) && _a.clientInfoTag ? `ioredis(${self2.options.clientInfoTag})` : "ioredis").catch(utils_1.noop))), Promise.all(clientCommandPromises).catch(utils_1.noop).finally(() => {
          self2.options.enableReadyCheck || exports2.readyHandler(self2)(), self2.options.enableReadyCheck && self2._readyCheck(function(err, info) {
            connectionEpoch === self2.connectionEpoch && (err ? flushed || self2.recoverFromFatalError(new Error("Ready check failed: " + err.message), err) : self2.connector.check(info) ? exports2.readyHandler(self2)() : self2.disconnect(!0));
          });
        });
      };
    }
    exports2.connectHandler = connectHandler;
    function abortError(command) {
      let err = new redis_errors_1.AbortError("Command aborted due to connection close");
      return err.command = {
        name: command.name,
        args: command.args
      }, err;
    }
    function abortIncompletePipelines(commandQueue) {
      var _a;
      let expectedIndex = 0;
      for (let i = 0; i < commandQueue.length; ) {
        let command = (_a = commandQueue.peekAt(i)) === null || _a === void 0 ? void 0 : _a.command, pipelineIndex = command.pipelineIndex;
        if ((pipelineIndex === void 0 || pipelineIndex === 0) && (expectedIndex = 0), pipelineIndex !== void 0 && pipelineIndex !== expectedIndex++) {
          commandQueue.remove(i, 1), command.reject(abortError(command));
          continue;
        }
        i++;
      }
    }
    function abortTransactionFragments(commandQueue) {
      var _a;
      for (let i = 0; i < commandQueue.length; ) {
        let command = (_a = commandQueue.peekAt(i)) === null || _a === void 0 ? void 0 : _a.command;
        if (command.name === "multi")
          break;
        if (command.name === "exec") {
          commandQueue.remove(i, 1), command.reject(abortError(command));
          break;
        }
        command.inTransaction ? (commandQueue.remove(i, 1), command.reject(abortError(command))) : i++;
      }
    }
    function closeHandler(self2) {
      return function() {
        let prevStatus = self2.status;
        if (self2.setStatus("close"), self2.commandQueue.length && abortIncompletePipelines(self2.commandQueue), self2.offlineQueue.length && abortTransactionFragments(self2.offlineQueue), prevStatus === "ready" && (self2.prevCondition || (self2.prevCondition = self2.condition), self2.commandQueue.length && (self2.prevCommandQueue = self2.commandQueue)), self2.manuallyClosing)
          return self2.manuallyClosing = !1, debug("skip reconnecting since the connection is manually closed."), close();
        if (typeof self2.options.retryStrategy != "function")
          return debug("skip reconnecting because `retryStrategy` is not a function"), close();
        let retryDelay = self2.options.retryStrategy(++self2.retryAttempts);
        if (typeof retryDelay != "number")
          return debug("skip reconnecting because `retryStrategy` doesn't return a number"), close();
        debug("reconnect in %sms", retryDelay), self2.setStatus("reconnecting", retryDelay), self2.reconnectTimeout = setTimeout(function() {
          self2.reconnectTimeout = null, self2.connect().catch(utils_1.noop);
        }, retryDelay);
        let { maxRetriesPerRequest } = self2.options;
        typeof maxRetriesPerRequest == "number" && (maxRetriesPerRequest < 0 ? debug("maxRetriesPerRequest is negative, ignoring...") : self2.retryAttempts % (maxRetriesPerRequest + 1) === 0 && (debug("reach maxRetriesPerRequest limitation, flushing command queue..."), self2.flushQueue(new errors_1.MaxRetriesPerRequestError(maxRetriesPerRequest))));
      };
      function close() {
        self2.setStatus("end"), self2.flushQueue(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG));
      }
    }
    exports2.closeHandler = closeHandler;
    function errorHandler(self2) {
      return function(error) {
        debug("error: %s", error), self2.silentEmit("error", error);
      };
    }
    exports2.errorHandler = errorHandler;
    function readyHandler(self2) {
      return function() {
        if (self2.setStatus("ready"), self2.retryAttempts = 0, self2.options.monitor) {
          self2.call("monitor").then(() => self2.setStatus("monitoring"), (error) => self2.emit("error", error));
          let { sendCommand } = self2;
          self2.sendCommand = function(command) {
            return Command_1.default.checkFlag("VALID_IN_MONITOR_MODE", command.name) ? sendCommand.call(self2, command) : (command.reject(new Error("Connection is in monitoring mode, can't process commands.")), command.promise);
          }, self2.once("close", function() {
            delete self2.sendCommand;
          });
          return;
        }
        let finalSelect = self2.prevCondition ? self2.prevCondition.select : self2.condition.select;
        if (self2.options.readOnly && (debug("set the connection to readonly mode"), self2.readonly().catch(utils_1.noop)), self2.prevCondition) {
          let condition = self2.prevCondition;
          if (self2.prevCondition = null, condition.subscriber && self2.options.autoResubscribe) {
            self2.condition.select !== finalSelect && (debug("connect to db [%d]", finalSelect), self2.select(finalSelect));
            let subscribeChannels = condition.subscriber.channels("subscribe");
            subscribeChannels.length && (debug("subscribe %d channels", subscribeChannels.length), self2.subscribe(subscribeChannels));
            let psubscribeChannels = condition.subscriber.channels("psubscribe");
            psubscribeChannels.length && (debug("psubscribe %d channels", psubscribeChannels.length), self2.psubscribe(psubscribeChannels));
            let ssubscribeChannels = condition.subscriber.channels("ssubscribe");
            if (ssubscribeChannels.length) {
              debug("ssubscribe %s", ssubscribeChannels.length);
              for (let channel of ssubscribeChannels)
                self2.ssubscribe(channel);
            }
          }
        }
        if (self2.prevCommandQueue)
          if (self2.options.autoResendUnfulfilledCommands)
            for (debug("resend %d unfulfilled commands", self2.prevCommandQueue.length); self2.prevCommandQueue.length > 0; ) {
              let item = self2.prevCommandQueue.shift();
              item.select !== self2.condition.select && item.command.name !== "select" && self2.select(item.select), self2.sendCommand(item.command, item.stream);
            }
          else
            self2.prevCommandQueue = null;
        if (self2.offlineQueue.length) {
          debug("send %d commands in offline queue", self2.offlineQueue.length);
          let offlineQueue = self2.offlineQueue;
          for (self2.resetOfflineQueue(); offlineQueue.length > 0; ) {
            let item = offlineQueue.shift();
            item.select !== self2.condition.select && item.command.name !== "select" && self2.select(item.select), self2.sendCommand(item.command, item.stream);
          }
        }
        self2.condition.select !== finalSelect && (debug("connect to db [%d]", finalSelect), self2.select(finalSelect));
      };
    }
    exports2.readyHandler = readyHandler;
  }
});

// ../../../node_modules/ioredis/built/redis/RedisOptions.js
var require_RedisOptions = __commonJS({
  "../../../node_modules/ioredis/built/redis/RedisOptions.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.DEFAULT_REDIS_OPTIONS = void 0;
    exports2.DEFAULT_REDIS_OPTIONS = {
      // Connection
      port: 6379,
      host: "localhost",
      family: 0,
      connectTimeout: 1e4,
      disconnectTimeout: 2e3,
      retryStrategy: function(times) {
        return Math.min(times * 50, 2e3);
      },
      keepAlive: 0,
      noDelay: !0,
      connectionName: null,
      disableClientInfo: !1,
      clientInfoTag: void 0,
      // Sentinel
      sentinels: null,
      name: null,
      role: "master",
      sentinelRetryStrategy: function(times) {
        return Math.min(times * 10, 1e3);
      },
      sentinelReconnectStrategy: function() {
        return 6e4;
      },
      natMap: null,
      enableTLSForSentinelMode: !1,
      updateSentinels: !0,
      failoverDetector: !1,
      // Status
      username: null,
      password: null,
      db: 0,
      // Others
      enableOfflineQueue: !0,
      enableReadyCheck: !0,
      autoResubscribe: !0,
      autoResendUnfulfilledCommands: !0,
      lazyConnect: !1,
      keyPrefix: "",
      reconnectOnError: null,
      readOnly: !1,
      stringNumbers: !1,
      maxRetriesPerRequest: 20,
      maxLoadingRetryTime: 1e4,
      enableAutoPipelining: !1,
      autoPipeliningIgnoredCommands: [],
      sentinelMaxConnections: 10,
      blockingTimeoutGrace: 100
    };
  }
});

// ../../../node_modules/ioredis/built/Redis.js
var require_Redis = __commonJS({
  "../../../node_modules/ioredis/built/Redis.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    var commands_1 = require_built(), events_1 = require("events"), standard_as_callback_1 = require_built2(), cluster_1 = require_cluster(), Command_1 = require_Command(), connectors_1 = require_connectors(), SentinelConnector_1 = require_SentinelConnector(), eventHandler = require_event_handler(), RedisOptions_1 = require_RedisOptions(), ScanStream_1 = require_ScanStream(), transaction_1 = require_transaction(), utils_1 = require_utils2(), tracing_1 = require_tracing(), applyMixin_1 = require_applyMixin(), Commander_1 = require_Commander(), lodash_1 = require_lodash(), Deque = require_denque(), debug = (0, utils_1.Debug)("redis"), Redis2 = class _Redis extends Commander_1.default {
      constructor(arg1, arg2, arg3) {
        if (super(), this.status = "wait", this.isCluster = !1, this.reconnectTimeout = null, this.connectionEpoch = 0, this.retryAttempts = 0, this.manuallyClosing = !1, this._autoPipelines = /* @__PURE__ */ new Map(), this._runningAutoPipelines = /* @__PURE__ */ new Set(), this.parseOptions(arg1, arg2, arg3), events_1.EventEmitter.call(this), this.resetCommandQueue(), this.resetOfflineQueue(), this.options.Connector)
          this.connector = new this.options.Connector(this.options);
        else if (this.options.sentinels) {
          let sentinelConnector = new SentinelConnector_1.default(this.options);
          sentinelConnector.emitter = this, this.connector = sentinelConnector;
        } else
          this.connector = new connectors_1.StandaloneConnector(this.options);
        this.options.scripts && Object.entries(this.options.scripts).forEach(([name, definition]) => {
          this.defineCommand(name, definition);
        }), this.options.lazyConnect ? this.setStatus("wait") : this.connect().catch(lodash_1.noop);
      }
      /**
       * Create a Redis instance.
       * This is the same as `new Redis()` but is included for compatibility with node-redis.
       */
      static createClient(...args) {
        return new _Redis(...args);
      }
      get autoPipelineQueueSize() {
        let queued = 0;
        for (let pipeline of this._autoPipelines.values())
          queued += pipeline.length;
        return queued;
      }
      /**
       * Create a connection to Redis.
       * This method will be invoked automatically when creating a new Redis instance
       * unless `lazyConnect: true` is passed.
       *
       * When calling this method manually, a Promise is returned, which will
       * be resolved when the connection status is ready. The promise can reject
       * if the connection fails, times out, or if Redis is already connecting/connected.
       */
      connect(callback) {
        let promise = (0, tracing_1.traceConnect)(() => this._connect(), () => {
          let { address, port } = this._getServerAddress();
          return {
            serverAddress: address,
            serverPort: port,
            connectionEpoch: this.connectionEpoch
          };
        });
        return (0, standard_as_callback_1.default)(promise, callback);
      }
      _connect() {
        return new Promise((resolve, reject) => {
          if (this.status === "connecting" || this.status === "connect" || this.status === "ready") {
            reject(new Error("Redis is already connecting/connected"));
            return;
          }
          this.connectionEpoch += 1, this.setStatus("connecting");
          let { options } = this;
          this.condition = {
            select: options.db,
            auth: options.username ? [options.username, options.password] : options.password,
            subscriber: !1
          };
          let _this = this;
          (0, standard_as_callback_1.default)(this.connector.connect(function(type, err) {
            _this.silentEmit(type, err);
          }), function(err, stream) {
            if (err) {
              _this.flushQueue(err), _this.silentEmit("error", err), reject(err), _this.setStatus("end");
              return;
            }
            let CONNECT_EVENT = options.tls ? "secureConnect" : "connect";
            if ("sentinels" in options && options.sentinels && !options.enableTLSForSentinelMode && (CONNECT_EVENT = "connect"), _this.stream = stream, options.noDelay && stream.setNoDelay(!0), typeof options.keepAlive == "number" && (stream.connecting ? stream.once(CONNECT_EVENT, () => {
              stream.setKeepAlive(!0, options.keepAlive);
            }) : stream.setKeepAlive(!0, options.keepAlive)), stream.connecting) {
              if (stream.once(CONNECT_EVENT, eventHandler.connectHandler(_this)), options.connectTimeout) {
                let connectTimeoutCleared = !1;
                stream.setTimeout(options.connectTimeout, function() {
                  if (connectTimeoutCleared)
                    return;
                  stream.setTimeout(0), stream.destroy();
                  let err2 = new Error("connect ETIMEDOUT");
                  err2.errorno = "ETIMEDOUT", err2.code = "ETIMEDOUT", err2.syscall = "connect", eventHandler.errorHandler(_this)(err2);
                }), stream.once(CONNECT_EVENT, function() {
                  connectTimeoutCleared = !0, stream.setTimeout(0);
                });
              }
            } else if (stream.destroyed) {
              let firstError = _this.connector.firstError;
              firstError && process.nextTick(() => {
                eventHandler.errorHandler(_this)(firstError);
              }), process.nextTick(eventHandler.closeHandler(_this));
            } else
              process.nextTick(eventHandler.connectHandler(_this));
            stream.destroyed || (stream.once("error", eventHandler.errorHandler(_this)), stream.once("close", eventHandler.closeHandler(_this)));
            let connectionReadyHandler = function() {
              _this.removeListener("close", connectionCloseHandler), resolve();
            };
            var connectionCloseHandler = function() {
              _this.removeListener("ready", connectionReadyHandler), reject(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG));
            };
            _this.once("ready", connectionReadyHandler), _this.once("close", connectionCloseHandler);
          });
        });
      }
      /**
       * Disconnect from Redis.
       *
       * This method closes the connection immediately,
       * and may lose some pending replies that haven't written to client.
       * If you want to wait for the pending replies, use Redis#quit instead.
       */
      disconnect(reconnect = !1) {
        reconnect || (this.manuallyClosing = !0), this.reconnectTimeout && !reconnect && (clearTimeout(this.reconnectTimeout), this.reconnectTimeout = null), this.status === "wait" ? eventHandler.closeHandler(this)() : this.connector.disconnect();
      }
      /**
       * Disconnect from Redis.
       *
       * @deprecated
       */
      end() {
        this.disconnect();
      }
      /**
       * Create a new instance with the same options as the current one.
       *
       * @example
       * ```js
       * var redis = new Redis(6380);
       * var anotherRedis = redis.duplicate();
       * ```
       */
      duplicate(override) {
        return new _Redis({ ...this.options, ...override });
      }
      /**
       * Mode of the connection.
       *
       * One of `"normal"`, `"subscriber"`, or `"monitor"`. When the connection is
       * not in `"normal"` mode, certain commands are not allowed.
       */
      get mode() {
        var _a;
        return this.options.monitor ? "monitor" : !((_a = this.condition) === null || _a === void 0) && _a.subscriber ? "subscriber" : "normal";
      }
      /**
       * Listen for all requests received by the server in real time.
       *
       * This command will create a new connection to Redis and send a
       * MONITOR command via the new connection in order to avoid disturbing
       * the current connection.
       *
       * @param callback The callback function. If omit, a promise will be returned.
       * @example
       * ```js
       * var redis = new Redis();
       * redis.monitor(function (err, monitor) {
       *   // Entering monitoring mode.
       *   monitor.on('monitor', function (time, args, source, database) {
       *     console.log(time + ": " + util.inspect(args));
       *   });
       * });
       *
       * // supports promise as well as other commands
       * redis.monitor().then(function (monitor) {
       *   monitor.on('monitor', function (time, args, source, database) {
       *     console.log(time + ": " + util.inspect(args));
       *   });
       * });
       * ```
       */
      monitor(callback) {
        let monitorInstance = this.duplicate({
          monitor: !0,
          lazyConnect: !1
        });
        return (0, standard_as_callback_1.default)(new Promise(function(resolve, reject) {
          monitorInstance.once("error", reject), monitorInstance.once("monitoring", function() {
            resolve(monitorInstance);
          });
        }), callback);
      }
      /**
       * Send a command to Redis
       *
       * This method is used internally and in most cases you should not
       * use it directly. If you need to send a command that is not supported
       * by the library, you can use the `call` method:
       *
       * ```js
       * const redis = new Redis();
       *
       * redis.call('set', 'foo', 'bar');
       * // or
       * redis.call(['set', 'foo', 'bar']);
       * ```
       *
       * @ignore
       */
      sendCommand(command, stream) {
        var _a, _b;
        if (this.status === "wait" && this.connect().catch(lodash_1.noop), this.status === "end")
          return command.reject(new Error(utils_1.CONNECTION_CLOSED_ERROR_MSG)), command.promise;
        if (!((_a = this.condition) === null || _a === void 0) && _a.subscriber && !Command_1.default.checkFlag("VALID_IN_SUBSCRIBER_MODE", command.name))
          return command.reject(new Error("Connection in subscriber mode, only subscriber commands may be used")), command.promise;
        typeof this.options.commandTimeout == "number" && command.setTimeout(this.options.commandTimeout);
        let blockingTimeout = this.getBlockingTimeoutInMs(command), writable = this.status === "ready" || !stream && this.status === "connect" && (0, commands_1.exists)(command.name, { caseInsensitive: !0 }) && ((0, commands_1.hasFlag)(command.name, "loading", { nameCaseInsensitive: !0 }) || Command_1.default.checkFlag("HANDSHAKE_COMMANDS", command.name));
        if (this.stream && this.stream.writable ? this.stream._writableState && this.stream._writableState.ended && (writable = !1) : writable = !1, writable)
          debug.enabled && debug("write command[%s]: %d -> %s(%o)", this._getDescription(), (_b = this.condition) === null || _b === void 0 ? void 0 : _b.select, command.name, command.args), stream ? "isPipeline" in stream && stream.isPipeline ? stream.write(command.toWritable(stream.destination.redis.stream)) : stream.write(command.toWritable(stream)) : this.stream.write(command.toWritable(this.stream)), this.commandQueue.push({
            command,
            stream,
            select: this.condition.select
          }), blockingTimeout !== void 0 && command.setBlockingTimeout(blockingTimeout), Command_1.default.checkFlag("WILL_DISCONNECT", command.name) && (this.manuallyClosing = !0), this.options.socketTimeout !== void 0 && this.socketTimeoutTimer === void 0 && this.setSocketTimeout();
        else {
          if (!this.options.enableOfflineQueue)
            return command.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")), command.promise;
          if (command.name === "quit" && this.offlineQueue.length === 0)
            return this.disconnect(), command.resolve(Buffer.from("OK")), command.promise;
          if (debug.enabled && debug("queue command[%s]: %d -> %s(%o)", this._getDescription(), this.condition.select, command.name, command.args), this.offlineQueue.push({
            command,
            stream,
            select: this.condition.select
          }), Command_1.default.checkFlag("BLOCKING_COMMANDS", command.name)) {
            let offlineTimeout = this.getConfiguredBlockingTimeout();
            offlineTimeout !== void 0 && command.setBlockingTimeout(offlineTimeout);
          }
        }
        if (command.name === "select" && (0, utils_1.isInt)(command.args[0])) {
          let db = parseInt(command.args[0], 10);
          this.condition.select !== db && (this.condition.select = db, this.emit("select", db), debug("switch to db [%d]", this.condition.select));
        }
        return !writable || command.isTraced ? command.promise : (command.isTraced = !0, (0, tracing_1.traceCommand)(() => command.promise, () => this._buildCommandContext(command)));
      }
      getBlockingTimeoutInMs(command) {
        var _a;
        if (!Command_1.default.checkFlag("BLOCKING_COMMANDS", command.name))
          return;
        let configuredTimeout = this.getConfiguredBlockingTimeout();
        if (configuredTimeout === void 0)
          return;
        let timeout2 = command.extractBlockingTimeout();
        if (typeof timeout2 == "number")
          return timeout2 > 0 ? timeout2 + ((_a = this.options.blockingTimeoutGrace) !== null && _a !== void 0 ? _a : RedisOptions_1.DEFAULT_REDIS_OPTIONS.blockingTimeoutGrace) : configuredTimeout;
        if (timeout2 === null)
          return configuredTimeout;
      }
      getConfiguredBlockingTimeout() {
        if (typeof this.options.blockingTimeout == "number" && this.options.blockingTimeout > 0)
          return this.options.blockingTimeout;
      }
      setSocketTimeout() {
        this.socketTimeoutTimer = setTimeout(() => {
          this.stream.destroy(new Error(`Socket timeout. Expecting data, but didn't receive any in ${this.options.socketTimeout}ms.`)), this.socketTimeoutTimer = void 0;
        }, this.options.socketTimeout), this.stream.once("data", () => {
          clearTimeout(this.socketTimeoutTimer), this.socketTimeoutTimer = void 0, this.commandQueue.length !== 0 && this.setSocketTimeout();
        });
      }
      scanStream(options) {
        return this.createScanStream("scan", { options });
      }
      scanBufferStream(options) {
        return this.createScanStream("scanBuffer", { options });
      }
      sscanStream(key, options) {
        return this.createScanStream("sscan", { key, options });
      }
      sscanBufferStream(key, options) {
        return this.createScanStream("sscanBuffer", { key, options });
      }
      hscanStream(key, options) {
        return this.createScanStream("hscan", { key, options });
      }
      hscanBufferStream(key, options) {
        return this.createScanStream("hscanBuffer", { key, options });
      }
      zscanStream(key, options) {
        return this.createScanStream("zscan", { key, options });
      }
      zscanBufferStream(key, options) {
        return this.createScanStream("zscanBuffer", { key, options });
      }
      /**
       * Emit only when there's at least one listener.
       *
       * @ignore
       */
      silentEmit(eventName, arg) {
        let error;
        if (!(eventName === "error" && (error = arg, this.status === "end" || this.manuallyClosing && error instanceof Error && (error.message === utils_1.CONNECTION_CLOSED_ERROR_MSG || // @ts-expect-error
        error.syscall === "connect" || // @ts-expect-error
        error.syscall === "read"))))
          return this.listeners(eventName).length > 0 ? this.emit.apply(this, arguments) : (error && error instanceof Error && console.error("[ioredis] Unhandled error event:", error.stack), !1);
      }
      /**
       * @ignore
       */
      recoverFromFatalError(_commandError, err, options) {
        this.flushQueue(err, options), this.silentEmit("error", err), this.disconnect(!0);
      }
      /**
       * @ignore
       */
      handleReconnection(err, item) {
        var _a;
        let needReconnect = !1;
        switch (this.options.reconnectOnError && !Command_1.default.checkFlag("IGNORE_RECONNECT_ON_ERROR", item.command.name) && (needReconnect = this.options.reconnectOnError(err)), needReconnect) {
          case 1:
          case !0:
            this.status !== "reconnecting" && this.disconnect(!0), item.command.reject(err);
            break;
          case 2:
            this.status !== "reconnecting" && this.disconnect(!0), ((_a = this.condition) === null || _a === void 0 ? void 0 : _a.select) !== item.select && item.command.name !== "select" && this.select(item.select), this.sendCommand(item.command);
            break;
          default:
            item.command.reject(err);
        }
      }
      /**
       * @ignore
       */
      _getServerAddress() {
        return "path" in this.options && this.options.path ? { address: this.options.path, port: void 0 } : {
          address: "host" in this.options && this.options.host || "localhost",
          port: "port" in this.options && this.options.port || 6379
        };
      }
      _buildCommandContext(command) {
        var _a, _b, _c;
        let { address, port } = this._getServerAddress();
        return {
          command: command.name,
          args: (0, tracing_1.sanitizeArgs)(command.name, command.args),
          database: (_c = (_b = (_a = this.condition) === null || _a === void 0 ? void 0 : _a.select) !== null && _b !== void 0 ? _b : this.options.db) !== null && _c !== void 0 ? _c : 0,
          serverAddress: address,
          serverPort: port
        };
      }
      _buildBatchContext(batchSize) {
        var _a, _b, _c;
        let { address, port } = this._getServerAddress();
        return {
          batchMode: "MULTI",
          batchSize,
          database: (_c = (_b = (_a = this.condition) === null || _a === void 0 ? void 0 : _a.select) !== null && _b !== void 0 ? _b : this.options.db) !== null && _c !== void 0 ? _c : 0,
          serverAddress: address,
          serverPort: port
        };
      }
      /**
       * Get description of the connection. Used for debugging.
       */
      _getDescription() {
        let description;
        return "path" in this.options && this.options.path ? description = this.options.path : this.stream && this.stream.remoteAddress && this.stream.remotePort ? description = this.stream.remoteAddress + ":" + this.stream.remotePort : "host" in this.options && this.options.host ? description = this.options.host + ":" + this.options.port : description = "", this.options.connectionName && (description += ` (${this.options.connectionName})`), description;
      }
      resetCommandQueue() {
        this.commandQueue = new Deque();
      }
      resetOfflineQueue() {
        this.offlineQueue = new Deque();
      }
      parseOptions(...args) {
        let options = {}, isTls = !1;
        for (let i = 0; i < args.length; ++i) {
          let arg = args[i];
          if (!(arg === null || typeof arg > "u"))
            if (typeof arg == "object")
              (0, lodash_1.defaults)(options, arg);
            else if (typeof arg == "string")
              (0, lodash_1.defaults)(options, (0, utils_1.parseURL)(arg)), arg.startsWith("rediss://") && (isTls = !0);
            else if (typeof arg == "number")
              options.port = arg;
            else
              throw new Error("Invalid argument " + arg);
        }
        isTls && (0, lodash_1.defaults)(options, { tls: !0 }), (0, lodash_1.defaults)(options, _Redis.defaultOptions), typeof options.port == "string" && (options.port = parseInt(options.port, 10)), typeof options.db == "string" && (options.db = parseInt(options.db, 10)), this.options = (0, utils_1.resolveTLSProfile)(options);
      }
      /**
       * Change instance's status
       */
      setStatus(status, arg) {
        debug.enabled && debug("status[%s]: %s -> %s", this._getDescription(), this.status || "[empty]", status), this.status = status, process.nextTick(this.emit.bind(this, status, arg));
      }
      createScanStream(command, { key, options = {} }) {
        return new ScanStream_1.default({
          objectMode: !0,
          key,
          redis: this,
          command,
          ...options
        });
      }
      /**
       * Flush offline queue and command queue with error.
       *
       * @param error The error object to send to the commands
       * @param options options
       */
      flushQueue(error, options) {
        options = (0, lodash_1.defaults)({}, options, {
          offlineQueue: !0,
          commandQueue: !0
        });
        let item;
        if (options.offlineQueue)
          for (; item = this.offlineQueue.shift(); )
            item.command.reject(error);
        if (options.commandQueue && this.commandQueue.length > 0)
          for (this.stream && this.stream.removeAllListeners("data"); item = this.commandQueue.shift(); )
            item.command.reject(error);
      }
      /**
       * Check whether Redis has finished loading the persistent data and is able to
       * process commands.
       */
      _readyCheck(callback) {
        let _this = this;
        this.info(function(err, res) {
          if (err)
            return err.message && err.message.includes("NOPERM") ? (console.warn(`Skipping the ready check because INFO command fails: "${err.message}". You can disable ready check with "enableReadyCheck". More: https://github.com/luin/ioredis/wiki/Disable-ready-check.`), callback(null, {})) : callback(err);
          if (typeof res != "string")
            return callback(null, res);
          let info = {}, lines = res.split(`\r
`);
          for (let i = 0; i < lines.length; ++i) {
            let [fieldName, ...fieldValueParts] = lines[i].split(":"), fieldValue = fieldValueParts.join(":");
            fieldValue && (info[fieldName] = fieldValue);
          }
          if (!info.loading || info.loading === "0")
            callback(null, info);
          else {
            let loadingEtaMs = (info.loading_eta_seconds || 1) * 1e3, retryTime = _this.options.maxLoadingRetryTime && _this.options.maxLoadingRetryTime < loadingEtaMs ? _this.options.maxLoadingRetryTime : loadingEtaMs;
            debug("Redis server still loading, trying again in " + retryTime + "ms"), setTimeout(function() {
              _this._readyCheck(callback);
            }, retryTime);
          }
        }).catch(lodash_1.noop);
      }
    };
    Redis2.Cluster = cluster_1.default;
    Redis2.Command = Command_1.default;
    Redis2.defaultOptions = RedisOptions_1.DEFAULT_REDIS_OPTIONS;
    (0, applyMixin_1.default)(Redis2, events_1.EventEmitter);
    (0, transaction_1.addTransactionSupport)(Redis2.prototype);
    exports2.default = Redis2;
  }
});

// ../../../node_modules/ioredis/built/index.js
var require_built3 = __commonJS({
  "../../../node_modules/ioredis/built/index.js"(exports2, module2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.print = exports2.ReplyError = exports2.SentinelIterator = exports2.SentinelConnector = exports2.AbstractConnector = exports2.Pipeline = exports2.ScanStream = exports2.Command = exports2.Cluster = exports2.Redis = exports2.default = void 0;
    exports2 = module2.exports = require_Redis().default;
    var Redis_1 = require_Redis();
    Object.defineProperty(exports2, "default", { enumerable: !0, get: function() {
      return Redis_1.default;
    } });
    var Redis_2 = require_Redis();
    Object.defineProperty(exports2, "Redis", { enumerable: !0, get: function() {
      return Redis_2.default;
    } });
    var cluster_1 = require_cluster();
    Object.defineProperty(exports2, "Cluster", { enumerable: !0, get: function() {
      return cluster_1.default;
    } });
    var Command_1 = require_Command();
    Object.defineProperty(exports2, "Command", { enumerable: !0, get: function() {
      return Command_1.default;
    } });
    var ScanStream_1 = require_ScanStream();
    Object.defineProperty(exports2, "ScanStream", { enumerable: !0, get: function() {
      return ScanStream_1.default;
    } });
    var Pipeline_1 = require_Pipeline();
    Object.defineProperty(exports2, "Pipeline", { enumerable: !0, get: function() {
      return Pipeline_1.default;
    } });
    var AbstractConnector_1 = require_AbstractConnector();
    Object.defineProperty(exports2, "AbstractConnector", { enumerable: !0, get: function() {
      return AbstractConnector_1.default;
    } });
    var SentinelConnector_1 = require_SentinelConnector();
    Object.defineProperty(exports2, "SentinelConnector", { enumerable: !0, get: function() {
      return SentinelConnector_1.default;
    } });
    Object.defineProperty(exports2, "SentinelIterator", { enumerable: !0, get: function() {
      return SentinelConnector_1.SentinelIterator;
    } });
    exports2.ReplyError = require_redis_errors().ReplyError;
    Object.defineProperty(exports2, "Promise", {
      get() {
        return console.warn("ioredis v5 does not support plugging third-party Promise library anymore. Native Promise will be used."), Promise;
      },
      set(_lib) {
        console.warn("ioredis v5 does not support plugging third-party Promise library anymore. Native Promise will be used.");
      }
    });
    function print(err, reply) {
      console.log(err ? "Error: " + err : "Reply: " + reply);
    }
    exports2.print = print;
  }
});

// ../../../node_modules/postgres-array/index.js
var require_postgres_array = __commonJS({
  "../../../node_modules/postgres-array/index.js"(exports2) {
    "use strict";
    exports2.parse = function(source, transform) {
      return new ArrayParser(source, transform).parse();
    };
    var ArrayParser = class _ArrayParser {
      constructor(source, transform) {
        this.source = source, this.transform = transform || identity, this.position = 0, this.entries = [], this.recorded = [], this.dimension = 0;
      }
      isEof() {
        return this.position >= this.source.length;
      }
      nextCharacter() {
        var character = this.source[this.position++];
        return character === "\\" ? {
          value: this.source[this.position++],
          escaped: !0
        } : {
          value: character,
          escaped: !1
        };
      }
      record(character) {
        this.recorded.push(character);
      }
      newEntry(includeEmpty) {
        var entry;
        (this.recorded.length > 0 || includeEmpty) && (entry = this.recorded.join(""), entry === "NULL" && !includeEmpty && (entry = null), entry !== null && (entry = this.transform(entry)), this.entries.push(entry), this.recorded = []);
      }
      consumeDimensions() {
        if (this.source[0] === "[")
          for (; !this.isEof(); ) {
            var char = this.nextCharacter();
            if (char.value === "=") break;
          }
      }
      parse(nested) {
        var character, parser, quote;
        for (this.consumeDimensions(); !this.isEof(); )
          if (character = this.nextCharacter(), character.value === "{" && !quote)
            this.dimension++, this.dimension > 1 && (parser = new _ArrayParser(this.source.substr(this.position - 1), this.transform), this.entries.push(parser.parse(!0)), this.position += parser.position - 2);
          else if (character.value === "}" && !quote) {
            if (this.dimension--, !this.dimension && (this.newEntry(), nested))
              return this.entries;
          } else character.value === '"' && !character.escaped ? (quote && this.newEntry(!0), quote = !quote) : character.value === "," && !quote ? this.newEntry() : this.record(character.value);
        if (this.dimension !== 0)
          throw new Error("array dimension not balanced");
        return this.entries;
      }
    };
    function identity(value) {
      return value;
    }
  }
});

// ../../../node_modules/pg-types/lib/arrayParser.js
var require_arrayParser = __commonJS({
  "../../../node_modules/pg-types/lib/arrayParser.js"(exports2, module2) {
    var array = require_postgres_array();
    module2.exports = {
      create: function(source, transform) {
        return {
          parse: function() {
            return array.parse(source, transform);
          }
        };
      }
    };
  }
});

// ../../../node_modules/postgres-date/index.js
var require_postgres_date = __commonJS({
  "../../../node_modules/postgres-date/index.js"(exports2, module2) {
    "use strict";
    var DATE_TIME = /(\d{1,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,})?.*?( BC)?$/, DATE = /^(\d{1,})-(\d{2})-(\d{2})( BC)?$/, TIME_ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/, INFINITY = /^-?infinity$/;
    module2.exports = function(isoDate) {
      if (INFINITY.test(isoDate))
        return Number(isoDate.replace("i", "I"));
      var matches = DATE_TIME.exec(isoDate);
      if (!matches)
        return getDate(isoDate) || null;
      var isBC = !!matches[8], year = parseInt(matches[1], 10);
      isBC && (year = bcYearToNegativeYear(year));
      var month = parseInt(matches[2], 10) - 1, day = matches[3], hour = parseInt(matches[4], 10), minute = parseInt(matches[5], 10), second = parseInt(matches[6], 10), ms = matches[7];
      ms = ms ? 1e3 * parseFloat(ms) : 0;
      var date, offset = timeZoneOffset(isoDate);
      return offset != null ? (date = new Date(Date.UTC(year, month, day, hour, minute, second, ms)), is0To99(year) && date.setUTCFullYear(year), offset !== 0 && date.setTime(date.getTime() - offset)) : (date = new Date(year, month, day, hour, minute, second, ms), is0To99(year) && date.setFullYear(year)), date;
    };
    function getDate(isoDate) {
      var matches = DATE.exec(isoDate);
      if (matches) {
        var year = parseInt(matches[1], 10), isBC = !!matches[4];
        isBC && (year = bcYearToNegativeYear(year));
        var month = parseInt(matches[2], 10) - 1, day = matches[3], date = new Date(year, month, day);
        return is0To99(year) && date.setFullYear(year), date;
      }
    }
    function timeZoneOffset(isoDate) {
      if (isoDate.endsWith("+00"))
        return 0;
      var zone = TIME_ZONE.exec(isoDate.split(" ")[1]);
      if (zone) {
        var type = zone[1];
        if (type === "Z")
          return 0;
        var sign = type === "-" ? -1 : 1, offset = parseInt(zone[2], 10) * 3600 + parseInt(zone[3] || 0, 10) * 60 + parseInt(zone[4] || 0, 10);
        return offset * sign * 1e3;
      }
    }
    function bcYearToNegativeYear(year) {
      return -(year - 1);
    }
    function is0To99(num) {
      return num >= 0 && num < 100;
    }
  }
});

// ../../../node_modules/xtend/mutable.js
var require_mutable = __commonJS({
  "../../../node_modules/xtend/mutable.js"(exports2, module2) {
    module2.exports = extend;
    var hasOwnProperty = Object.prototype.hasOwnProperty;
    function extend(target) {
      for (var i = 1; i < arguments.length; i++) {
        var source = arguments[i];
        for (var key in source)
          hasOwnProperty.call(source, key) && (target[key] = source[key]);
      }
      return target;
    }
  }
});

// ../../../node_modules/postgres-interval/index.js
var require_postgres_interval = __commonJS({
  "../../../node_modules/postgres-interval/index.js"(exports2, module2) {
    "use strict";
    var extend = require_mutable();
    module2.exports = PostgresInterval;
    function PostgresInterval(raw) {
      if (!(this instanceof PostgresInterval))
        return new PostgresInterval(raw);
      extend(this, parse(raw));
    }
    var properties = ["seconds", "minutes", "hours", "days", "months", "years"];
    PostgresInterval.prototype.toPostgres = function() {
      var filtered = properties.filter(this.hasOwnProperty, this);
      return this.milliseconds && filtered.indexOf("seconds") < 0 && filtered.push("seconds"), filtered.length === 0 ? "0" : filtered.map(function(property) {
        var value = this[property] || 0;
        return property === "seconds" && this.milliseconds && (value = (value + this.milliseconds / 1e3).toFixed(6).replace(/\.?0+$/, "")), value + " " + property;
      }, this).join(" ");
    };
    var propertiesISOEquivalent = {
      years: "Y",
      months: "M",
      days: "D",
      hours: "H",
      minutes: "M",
      seconds: "S"
    }, dateProperties = ["years", "months", "days"], timeProperties = ["hours", "minutes", "seconds"];
    PostgresInterval.prototype.toISOString = PostgresInterval.prototype.toISO = function() {
      var datePart = dateProperties.map(buildProperty, this).join(""), timePart = timeProperties.map(buildProperty, this).join("");
      return "P" + datePart + "T" + timePart;
      function buildProperty(property) {
        var value = this[property] || 0;
        return property === "seconds" && this.milliseconds && (value = (value + this.milliseconds / 1e3).toFixed(6).replace(/0+$/, "")), value + propertiesISOEquivalent[property];
      }
    };
    var NUMBER = "([+-]?\\d+)", YEAR = NUMBER + "\\s+years?", MONTH = NUMBER + "\\s+mons?", DAY = NUMBER + "\\s+days?", TIME = "([+-])?([\\d]*):(\\d\\d):(\\d\\d)\\.?(\\d{1,6})?", INTERVAL = new RegExp([YEAR, MONTH, DAY, TIME].map(function(regexString) {
      return "(" + regexString + ")?";
    }).join("\\s*")), positions = {
      years: 2,
      months: 4,
      days: 6,
      hours: 9,
      minutes: 10,
      seconds: 11,
      milliseconds: 12
    }, negatives = ["hours", "minutes", "seconds", "milliseconds"];
    function parseMilliseconds(fraction) {
      var microseconds = fraction + "000000".slice(fraction.length);
      return parseInt(microseconds, 10) / 1e3;
    }
    function parse(interval) {
      if (!interval) return {};
      var matches = INTERVAL.exec(interval), isNegative = matches[8] === "-";
      return Object.keys(positions).reduce(function(parsed, property) {
        var position = positions[property], value = matches[position];
        return !value || (value = property === "milliseconds" ? parseMilliseconds(value) : parseInt(value, 10), !value) || (isNegative && ~negatives.indexOf(property) && (value *= -1), parsed[property] = value), parsed;
      }, {});
    }
  }
});

// ../../../node_modules/postgres-bytea/index.js
var require_postgres_bytea = __commonJS({
  "../../../node_modules/postgres-bytea/index.js"(exports2, module2) {
    "use strict";
    var bufferFrom = Buffer.from || Buffer;
    module2.exports = function(input) {
      if (/^\\x/.test(input))
        return bufferFrom(input.substr(2), "hex");
      for (var output = "", i = 0; i < input.length; )
        if (input[i] !== "\\")
          output += input[i], ++i;
        else if (/[0-7]{3}/.test(input.substr(i + 1, 3)))
          output += String.fromCharCode(parseInt(input.substr(i + 1, 3), 8)), i += 4;
        else {
          for (var backslashes = 1; i + backslashes < input.length && input[i + backslashes] === "\\"; )
            backslashes++;
          for (var k = 0; k < Math.floor(backslashes / 2); ++k)
            output += "\\";
          i += Math.floor(backslashes / 2) * 2;
        }
      return bufferFrom(output, "binary");
    };
  }
});

// ../../../node_modules/pg-types/lib/textParsers.js
var require_textParsers = __commonJS({
  "../../../node_modules/pg-types/lib/textParsers.js"(exports2, module2) {
    var array = require_postgres_array(), arrayParser = require_arrayParser(), parseDate = require_postgres_date(), parseInterval = require_postgres_interval(), parseByteA = require_postgres_bytea();
    function allowNull(fn) {
      return function(value) {
        return value === null ? value : fn(value);
      };
    }
    function parseBool(value) {
      return value === null ? value : value === "TRUE" || value === "t" || value === "true" || value === "y" || value === "yes" || value === "on" || value === "1";
    }
    function parseBoolArray(value) {
      return value ? array.parse(value, parseBool) : null;
    }
    function parseBaseTenInt(string) {
      return parseInt(string, 10);
    }
    function parseIntegerArray(value) {
      return value ? array.parse(value, allowNull(parseBaseTenInt)) : null;
    }
    function parseBigIntegerArray(value) {
      return value ? array.parse(value, allowNull(function(entry) {
        return parseBigInteger(entry).trim();
      })) : null;
    }
    var parsePointArray = function(value) {
      if (!value)
        return null;
      var p = arrayParser.create(value, function(entry) {
        return entry !== null && (entry = parsePoint(entry)), entry;
      });
      return p.parse();
    }, parseFloatArray = function(value) {
      if (!value)
        return null;
      var p = arrayParser.create(value, function(entry) {
        return entry !== null && (entry = parseFloat(entry)), entry;
      });
      return p.parse();
    }, parseStringArray = function(value) {
      if (!value)
        return null;
      var p = arrayParser.create(value);
      return p.parse();
    }, parseDateArray = function(value) {
      if (!value)
        return null;
      var p = arrayParser.create(value, function(entry) {
        return entry !== null && (entry = parseDate(entry)), entry;
      });
      return p.parse();
    }, parseIntervalArray = function(value) {
      if (!value)
        return null;
      var p = arrayParser.create(value, function(entry) {
        return entry !== null && (entry = parseInterval(entry)), entry;
      });
      return p.parse();
    }, parseByteAArray = function(value) {
      return value ? array.parse(value, allowNull(parseByteA)) : null;
    }, parseInteger = function(value) {
      return parseInt(value, 10);
    }, parseBigInteger = function(value) {
      var valStr = String(value);
      return /^\d+$/.test(valStr) ? valStr : value;
    }, parseJsonArray = function(value) {
      return value ? array.parse(value, allowNull(JSON.parse)) : null;
    }, parsePoint = function(value) {
      return value[0] !== "(" ? null : (value = value.substring(1, value.length - 1).split(","), {
        x: parseFloat(value[0]),
        y: parseFloat(value[1])
      });
    }, parseCircle = function(value) {
      if (value[0] !== "<" && value[1] !== "(")
        return null;
      for (var point = "(", radius = "", pointParsed = !1, i = 2; i < value.length - 1; i++) {
        if (pointParsed || (point += value[i]), value[i] === ")") {
          pointParsed = !0;
          continue;
        } else if (!pointParsed)
          continue;
        value[i] !== "," && (radius += value[i]);
      }
      var result = parsePoint(point);
      return result.radius = parseFloat(radius), result;
    }, init = function(register) {
      register(20, parseBigInteger), register(21, parseInteger), register(23, parseInteger), register(26, parseInteger), register(700, parseFloat), register(701, parseFloat), register(16, parseBool), register(1082, parseDate), register(1114, parseDate), register(1184, parseDate), register(600, parsePoint), register(651, parseStringArray), register(718, parseCircle), register(1e3, parseBoolArray), register(1001, parseByteAArray), register(1005, parseIntegerArray), register(1007, parseIntegerArray), register(1028, parseIntegerArray), register(1016, parseBigIntegerArray), register(1017, parsePointArray), register(1021, parseFloatArray), register(1022, parseFloatArray), register(1231, parseFloatArray), register(1014, parseStringArray), register(1015, parseStringArray), register(1008, parseStringArray), register(1009, parseStringArray), register(1040, parseStringArray), register(1041, parseStringArray), register(1115, parseDateArray), register(1182, parseDateArray), register(1185, parseDateArray), register(1186, parseInterval), register(1187, parseIntervalArray), register(17, parseByteA), register(114, JSON.parse.bind(JSON)), register(3802, JSON.parse.bind(JSON)), register(199, parseJsonArray), register(3807, parseJsonArray), register(3907, parseStringArray), register(2951, parseStringArray), register(791, parseStringArray), register(1183, parseStringArray), register(1270, parseStringArray);
    };
    module2.exports = {
      init
    };
  }
});

// ../../../node_modules/pg-int8/index.js
var require_pg_int8 = __commonJS({
  "../../../node_modules/pg-int8/index.js"(exports2, module2) {
    "use strict";
    var BASE = 1e6;
    function readInt8(buffer) {
      var high = buffer.readInt32BE(0), low = buffer.readUInt32BE(4), sign = "";
      high < 0 && (high = ~high + (low === 0), low = ~low + 1 >>> 0, sign = "-");
      var result = "", carry, t, digits, pad, l, i;
      {
        if (carry = high % BASE, high = high / BASE >>> 0, t = 4294967296 * carry + low, low = t / BASE >>> 0, digits = "" + (t - BASE * low), low === 0 && high === 0)
          return sign + digits + result;
        for (pad = "", l = 6 - digits.length, i = 0; i < l; i++)
          pad += "0";
        result = pad + digits + result;
      }
      {
        if (carry = high % BASE, high = high / BASE >>> 0, t = 4294967296 * carry + low, low = t / BASE >>> 0, digits = "" + (t - BASE * low), low === 0 && high === 0)
          return sign + digits + result;
        for (pad = "", l = 6 - digits.length, i = 0; i < l; i++)
          pad += "0";
        result = pad + digits + result;
      }
      {
        if (carry = high % BASE, high = high / BASE >>> 0, t = 4294967296 * carry + low, low = t / BASE >>> 0, digits = "" + (t - BASE * low), low === 0 && high === 0)
          return sign + digits + result;
        for (pad = "", l = 6 - digits.length, i = 0; i < l; i++)
          pad += "0";
        result = pad + digits + result;
      }
      return carry = high % BASE, t = 4294967296 * carry + low, digits = "" + t % BASE, sign + digits + result;
    }
    module2.exports = readInt8;
  }
});

// ../../../node_modules/pg-types/lib/binaryParsers.js
var require_binaryParsers = __commonJS({
  "../../../node_modules/pg-types/lib/binaryParsers.js"(exports2, module2) {
    var parseInt64 = require_pg_int8(), parseBits = function(data, bits, offset, invert, callback) {
      offset = offset || 0, invert = invert || !1, callback = callback || function(lastValue, newValue, bits2) {
        return lastValue * Math.pow(2, bits2) + newValue;
      };
      var offsetBytes = offset >> 3, inv = function(value) {
        return invert ? ~value & 255 : value;
      }, mask = 255, firstBits = 8 - offset % 8;
      bits < firstBits && (mask = 255 << 8 - bits & 255, firstBits = bits), offset && (mask = mask >> offset % 8);
      var result = 0;
      offset % 8 + bits >= 8 && (result = callback(0, inv(data[offsetBytes]) & mask, firstBits));
      for (var bytes = bits + offset >> 3, i = offsetBytes + 1; i < bytes; i++)
        result = callback(result, inv(data[i]), 8);
      var lastBits = (bits + offset) % 8;
      return lastBits > 0 && (result = callback(result, inv(data[bytes]) >> 8 - lastBits, lastBits)), result;
    }, parseFloatFromBits = function(data, precisionBits, exponentBits) {
      var bias = Math.pow(2, exponentBits - 1) - 1, sign = parseBits(data, 1), exponent = parseBits(data, exponentBits, 1);
      if (exponent === 0)
        return 0;
      var precisionBitsCounter = 1, parsePrecisionBits = function(lastValue, newValue, bits) {
        lastValue === 0 && (lastValue = 1);
        for (var i = 1; i <= bits; i++)
          precisionBitsCounter /= 2, (newValue & 1 << bits - i) > 0 && (lastValue += precisionBitsCounter);
        return lastValue;
      }, mantissa = parseBits(data, precisionBits, exponentBits + 1, !1, parsePrecisionBits);
      return exponent == Math.pow(2, exponentBits + 1) - 1 ? mantissa === 0 ? sign === 0 ? 1 / 0 : -1 / 0 : NaN : (sign === 0 ? 1 : -1) * Math.pow(2, exponent - bias) * mantissa;
    }, parseInt16 = function(value) {
      return parseBits(value, 1) == 1 ? -1 * (parseBits(value, 15, 1, !0) + 1) : parseBits(value, 15, 1);
    }, parseInt32 = function(value) {
      return parseBits(value, 1) == 1 ? -1 * (parseBits(value, 31, 1, !0) + 1) : parseBits(value, 31, 1);
    }, parseFloat32 = function(value) {
      return parseFloatFromBits(value, 23, 8);
    }, parseFloat64 = function(value) {
      return parseFloatFromBits(value, 52, 11);
    }, parseNumeric = function(value) {
      var sign = parseBits(value, 16, 32);
      if (sign == 49152)
        return NaN;
      for (var weight = Math.pow(1e4, parseBits(value, 16, 16)), result = 0, digits = [], ndigits = parseBits(value, 16), i = 0; i < ndigits; i++)
        result += parseBits(value, 16, 64 + 16 * i) * weight, weight /= 1e4;
      var scale = Math.pow(10, parseBits(value, 16, 48));
      return (sign === 0 ? 1 : -1) * Math.round(result * scale) / scale;
    }, parseDate = function(isUTC, value) {
      var sign = parseBits(value, 1), rawValue = parseBits(value, 63, 1), result = new Date((sign === 0 ? 1 : -1) * rawValue / 1e3 + 9466848e5);
      return isUTC || result.setTime(result.getTime() + result.getTimezoneOffset() * 6e4), result.usec = rawValue % 1e3, result.getMicroSeconds = function() {
        return this.usec;
      }, result.setMicroSeconds = function(value2) {
        this.usec = value2;
      }, result.getUTCMicroSeconds = function() {
        return this.usec;
      }, result;
    }, parseArray = function(value) {
      for (var dim = parseBits(value, 32), flags = parseBits(value, 32, 32), elementType = parseBits(value, 32, 64), offset = 96, dims = [], i = 0; i < dim; i++)
        dims[i] = parseBits(value, 32, offset), offset += 32, offset += 32;
      var parseElement = function(elementType2) {
        var length = parseBits(value, 32, offset);
        if (offset += 32, length == 4294967295)
          return null;
        var result;
        if (elementType2 == 23 || elementType2 == 20)
          return result = parseBits(value, length * 8, offset), offset += length * 8, result;
        if (elementType2 == 25)
          return result = value.toString(this.encoding, offset >> 3, (offset += length << 3) >> 3), result;
        console.log("ERROR: ElementType not implemented: " + elementType2);
      }, parse = function(dimension, elementType2) {
        var array = [], i2;
        if (dimension.length > 1) {
          var count = dimension.shift();
          for (i2 = 0; i2 < count; i2++)
            array[i2] = parse(dimension, elementType2);
          dimension.unshift(count);
        } else
          for (i2 = 0; i2 < dimension[0]; i2++)
            array[i2] = parseElement(elementType2);
        return array;
      };
      return parse(dims, elementType);
    }, parseText = function(value) {
      return value.toString("utf8");
    }, parseBool = function(value) {
      return value === null ? null : parseBits(value, 8) > 0;
    }, init = function(register) {
      register(20, parseInt64), register(21, parseInt16), register(23, parseInt32), register(26, parseInt32), register(1700, parseNumeric), register(700, parseFloat32), register(701, parseFloat64), register(16, parseBool), register(1114, parseDate.bind(null, !1)), register(1184, parseDate.bind(null, !0)), register(1e3, parseArray), register(1007, parseArray), register(1016, parseArray), register(1008, parseArray), register(1009, parseArray), register(25, parseText);
    };
    module2.exports = {
      init
    };
  }
});

// ../../../node_modules/pg-types/lib/builtins.js
var require_builtins = __commonJS({
  "../../../node_modules/pg-types/lib/builtins.js"(exports2, module2) {
    module2.exports = {
      BOOL: 16,
      BYTEA: 17,
      CHAR: 18,
      INT8: 20,
      INT2: 21,
      INT4: 23,
      REGPROC: 24,
      TEXT: 25,
      OID: 26,
      TID: 27,
      XID: 28,
      CID: 29,
      JSON: 114,
      XML: 142,
      PG_NODE_TREE: 194,
      SMGR: 210,
      PATH: 602,
      POLYGON: 604,
      CIDR: 650,
      FLOAT4: 700,
      FLOAT8: 701,
      ABSTIME: 702,
      RELTIME: 703,
      TINTERVAL: 704,
      CIRCLE: 718,
      MACADDR8: 774,
      MONEY: 790,
      MACADDR: 829,
      INET: 869,
      ACLITEM: 1033,
      BPCHAR: 1042,
      VARCHAR: 1043,
      DATE: 1082,
      TIME: 1083,
      TIMESTAMP: 1114,
      TIMESTAMPTZ: 1184,
      INTERVAL: 1186,
      TIMETZ: 1266,
      BIT: 1560,
      VARBIT: 1562,
      NUMERIC: 1700,
      REFCURSOR: 1790,
      REGPROCEDURE: 2202,
      REGOPER: 2203,
      REGOPERATOR: 2204,
      REGCLASS: 2205,
      REGTYPE: 2206,
      UUID: 2950,
      TXID_SNAPSHOT: 2970,
      PG_LSN: 3220,
      PG_NDISTINCT: 3361,
      PG_DEPENDENCIES: 3402,
      TSVECTOR: 3614,
      TSQUERY: 3615,
      GTSVECTOR: 3642,
      REGCONFIG: 3734,
      REGDICTIONARY: 3769,
      JSONB: 3802,
      REGNAMESPACE: 4089,
      REGROLE: 4096
    };
  }
});

// ../../../node_modules/pg-types/index.js
var require_pg_types = __commonJS({
  "../../../node_modules/pg-types/index.js"(exports2) {
    var textParsers = require_textParsers(), binaryParsers = require_binaryParsers(), arrayParser = require_arrayParser(), builtinTypes = require_builtins();
    exports2.getTypeParser = getTypeParser;
    exports2.setTypeParser = setTypeParser;
    exports2.arrayParser = arrayParser;
    exports2.builtins = builtinTypes;
    var typeParsers = {
      text: {},
      binary: {}
    };
    function noParse(val) {
      return String(val);
    }
    function getTypeParser(oid, format) {
      return format = format || "text", typeParsers[format] && typeParsers[format][oid] || noParse;
    }
    function setTypeParser(oid, format, parseFn) {
      typeof format == "function" && (parseFn = format, format = "text"), typeParsers[format][oid] = parseFn;
    }
    textParsers.init(function(oid, converter) {
      typeParsers.text[oid] = converter;
    });
    binaryParsers.init(function(oid, converter) {
      typeParsers.binary[oid] = converter;
    });
  }
});

// ../../../node_modules/pg/lib/defaults.js
var require_defaults2 = __commonJS({
  "../../../node_modules/pg/lib/defaults.js"(exports2, module2) {
    "use strict";
    var user;
    try {
      user = process.platform === "win32" ? process.env.USERNAME : process.env.USER;
    } catch {
    }
    module2.exports = {
      // database host. defaults to localhost
      host: "localhost",
      // database user's name
      user,
      // name of database to connect
      database: void 0,
      // database user's password
      password: null,
      // a Postgres connection string to be used instead of setting individual connection items
      // NOTE:  Setting this value will cause it to override any other value (such as database or user) defined
      // in the defaults object.
      connectionString: void 0,
      // database port
      port: 5432,
      // number of rows to return at a time from a prepared statement's
      // portal. 0 will return all rows at once
      rows: 0,
      // binary result mode
      binary: !1,
      // Connection pool options - see https://github.com/brianc/node-pg-pool
      // number of connections to use in connection pool
      // 0 will disable connection pooling
      max: 10,
      // max milliseconds a client can go unused before it is removed
      // from the pool and destroyed
      idleTimeoutMillis: 3e4,
      client_encoding: "",
      ssl: !1,
      // SSL negotiation style: 'postgres' (traditional SSLRequest) or 'direct'
      sslnegotiation: void 0,
      application_name: void 0,
      fallback_application_name: void 0,
      options: void 0,
      parseInputDatesAsUTC: !1,
      // max milliseconds any query using this connection will execute for before timing out in error.
      // false=unlimited
      statement_timeout: !1,
      // Abort any statement that waits longer than the specified duration in milliseconds while attempting to acquire a lock.
      // false=unlimited
      lock_timeout: !1,
      // Terminate any session with an open transaction that has been idle for longer than the specified duration in milliseconds
      // false=unlimited
      idle_in_transaction_session_timeout: !1,
      // max milliseconds to wait for query to complete (client side)
      query_timeout: !1,
      connect_timeout: 0,
      keepalives: 1,
      keepalives_idle: 0
    };
    var pgTypes = require_pg_types(), parseBigInteger = pgTypes.getTypeParser(20, "text"), parseBigIntegerArray = pgTypes.getTypeParser(1016, "text");
    module2.exports.__defineSetter__("parseInt8", function(val) {
      pgTypes.setTypeParser(20, "text", val ? pgTypes.getTypeParser(23, "text") : parseBigInteger), pgTypes.setTypeParser(1016, "text", val ? pgTypes.getTypeParser(1007, "text") : parseBigIntegerArray);
    });
  }
});

// ../../../node_modules/pg/lib/utils.js
var require_utils3 = __commonJS({
  "../../../node_modules/pg/lib/utils.js"(exports2, module2) {
    "use strict";
    var defaults2 = require_defaults2(), nodeUtils = require("util"), { isDate } = require("util/types"), invalidDateDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Sending an invalid date to Postgres is deprecated and will throw an error in the next major version of pg. Ensure any Date object passed as a query parameter is valid.",
      "PG_INVALID_DATE"
    );
    function escapeElement(elementRepresentation) {
      return '"' + elementRepresentation.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
    }
    function arrayString(val) {
      let result = "{";
      for (let i = 0; i < val.length; i++) {
        i > 0 && (result += ",");
        let item = val[i];
        item == null ? result += "NULL" : Array.isArray(item) ? result += arrayString(item) : ArrayBuffer.isView(item) ? (item instanceof Buffer || (item = Buffer.from(item.buffer, item.byteOffset, item.byteLength)), result += "\\\\x" + item.toString("hex")) : result += escapeElement(prepareValue(item));
      }
      return result += "}", result;
    }
    var prepareValue = function(val, seen) {
      return val == null ? null : typeof val == "object" ? val instanceof Buffer ? val : ArrayBuffer.isView(val) ? Buffer.from(val.buffer, val.byteOffset, val.byteLength) : isDate(val) ? (isNaN(val.getTime()) && invalidDateDeprecationNotice(), defaults2.parseInputDatesAsUTC ? dateToStringUTC(val) : dateToString(val)) : Array.isArray(val) ? arrayString(val) : prepareObject(val, seen) : val.toString();
    };
    function prepareObject(val, seen) {
      if (val && typeof val.toPostgres == "function") {
        if (seen = seen || [], seen.indexOf(val) !== -1)
          throw new Error('circular reference detected while preparing "' + val + '" for query');
        return seen.push(val), prepareValue(val.toPostgres(prepareValue), seen);
      }
      return JSON.stringify(val);
    }
    function dateToString(date) {
      let offset = -date.getTimezoneOffset(), year = date.getFullYear(), isBCYear = year < 1;
      isBCYear && (year = Math.abs(year) + 1);
      let ret2 = String(year).padStart(4, "0") + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" + String(date.getDate()).padStart(2, "0") + "T" + String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0") + ":" + String(date.getSeconds()).padStart(2, "0") + "." + String(date.getMilliseconds()).padStart(3, "0");
      return offset < 0 ? (ret2 += "-", offset *= -1) : ret2 += "+", ret2 += String(Math.floor(offset / 60)).padStart(2, "0") + ":" + String(offset % 60).padStart(2, "0"), isBCYear && (ret2 += " BC"), ret2;
    }
    function dateToStringUTC(date) {
      let year = date.getUTCFullYear(), isBCYear = year < 1;
      isBCYear && (year = Math.abs(year) + 1);
      let ret2 = String(year).padStart(4, "0") + "-" + String(date.getUTCMonth() + 1).padStart(2, "0") + "-" + String(date.getUTCDate()).padStart(2, "0") + "T" + String(date.getUTCHours()).padStart(2, "0") + ":" + String(date.getUTCMinutes()).padStart(2, "0") + ":" + String(date.getUTCSeconds()).padStart(2, "0") + "." + String(date.getUTCMilliseconds()).padStart(3, "0");
      return ret2 += "+00:00", isBCYear && (ret2 += " BC"), ret2;
    }
    function normalizeQueryConfig(config, values, callback) {
      return config = typeof config == "string" ? { text: config } : cloneQueryConfig(config), values && (typeof values == "function" ? config.callback = values : config.values = values), callback && (config.callback = callback), config;
    }
    function cloneQueryConfig(config) {
      return config == null ? config : Object.defineProperties(Object.create(Object.getPrototypeOf(config)), Object.getOwnPropertyDescriptors(config));
    }
    var escapeIdentifier2 = function(str) {
      return '"' + str.replace(/"/g, '""') + '"';
    }, escapeLiteral2 = function(str) {
      let hasBackslash = !1, escaped = "'";
      if (str == null || typeof str != "string")
        return "''";
      for (let i = 0; i < str.length; i++) {
        let c = str[i];
        c === "'" ? escaped += c + c : c === "\\" ? (escaped += c + c, hasBackslash = !0) : escaped += c;
      }
      return escaped += "'", hasBackslash === !0 && (escaped = " E" + escaped), escaped;
    };
    module2.exports = {
      prepareValue: function(value) {
        return prepareValue(value);
      },
      normalizeQueryConfig,
      escapeIdentifier: escapeIdentifier2,
      escapeLiteral: escapeLiteral2
    };
  }
});

// ../../../node_modules/pg/lib/crypto/utils.js
var require_utils4 = __commonJS({
  "../../../node_modules/pg/lib/crypto/utils.js"(exports2, module2) {
    var nodeCrypto = require("crypto");
    module2.exports = {
      postgresMd5PasswordHash,
      randomBytes: randomBytes2,
      deriveKey,
      sha256,
      hashByName,
      hmacSha256,
      md5
    };
    var webCrypto = nodeCrypto.webcrypto || globalThis.crypto, subtleCrypto = webCrypto.subtle, textEncoder = new TextEncoder();
    function randomBytes2(length) {
      return webCrypto.getRandomValues(Buffer.alloc(length));
    }
    async function md5(string) {
      try {
        return nodeCrypto.createHash("md5").update(string, "utf-8").digest("hex");
      } catch {
        let data = typeof string == "string" ? textEncoder.encode(string) : string, hash = await subtleCrypto.digest("MD5", data);
        return Array.from(new Uint8Array(hash)).map((b) => b.toString(16).padStart(2, "0")).join("");
      }
    }
    async function postgresMd5PasswordHash(user, password, salt) {
      let inner = await md5(password + user);
      return "md5" + await md5(Buffer.concat([Buffer.from(inner), salt]));
    }
    async function sha256(text) {
      return await subtleCrypto.digest("SHA-256", text);
    }
    async function hashByName(hashName, text) {
      return await subtleCrypto.digest(hashName, text);
    }
    async function hmacSha256(keyBuffer, msg) {
      let key = await subtleCrypto.importKey("raw", keyBuffer, { name: "HMAC", hash: "SHA-256" }, !1, ["sign"]);
      return await subtleCrypto.sign("HMAC", key, textEncoder.encode(msg));
    }
    async function deriveKey(password, salt, iterations) {
      let key = await subtleCrypto.importKey("raw", textEncoder.encode(password), "PBKDF2", !1, ["deriveBits"]), params = { name: "PBKDF2", hash: "SHA-256", salt, iterations };
      return await subtleCrypto.deriveBits(params, key, 256, ["deriveBits"]);
    }
  }
});

// ../../../node_modules/pg/lib/crypto/cert-signatures.js
var require_cert_signatures = __commonJS({
  "../../../node_modules/pg/lib/crypto/cert-signatures.js"(exports2, module2) {
    function x509Error(msg, cert) {
      return new Error("SASL channel binding: " + msg + " when parsing public certificate " + cert.toString("base64"));
    }
    function readASN1Length(data, index) {
      let length = data[index++];
      if (length < 128) return { length, index };
      let lengthBytes = length & 127;
      if (lengthBytes > 4) throw x509Error("bad length", data);
      length = 0;
      for (let i = 0; i < lengthBytes; i++)
        length = length << 8 | data[index++];
      return { length, index };
    }
    function readASN1OID(data, index) {
      if (data[index++] !== 6) throw x509Error("non-OID data", data);
      let { length: OIDLength, index: indexAfterOIDLength } = readASN1Length(data, index);
      index = indexAfterOIDLength;
      let lastIndex = index + OIDLength, byte1 = data[index++], oid = (byte1 / 40 >> 0) + "." + byte1 % 40;
      for (; index < lastIndex; ) {
        let value = 0;
        for (; index < lastIndex; ) {
          let nextByte = data[index++];
          if (value = value << 7 | nextByte & 127, nextByte < 128) break;
        }
        oid += "." + value;
      }
      return { oid, index };
    }
    function expectASN1Seq(data, index) {
      if (data[index++] !== 48) throw x509Error("non-sequence data", data);
      return readASN1Length(data, index);
    }
    function signatureAlgorithmHashFromCertificate(data, index) {
      index === void 0 && (index = 0), index = expectASN1Seq(data, index).index;
      let { length: certInfoLength, index: indexAfterCertInfoLength } = expectASN1Seq(data, index);
      index = indexAfterCertInfoLength + certInfoLength, index = expectASN1Seq(data, index).index;
      let { oid, index: indexAfterOID } = readASN1OID(data, index);
      switch (oid) {
        // RSA
        case "1.2.840.113549.1.1.4":
          return "MD5";
        case "1.2.840.113549.1.1.5":
          return "SHA-1";
        case "1.2.840.113549.1.1.11":
          return "SHA-256";
        case "1.2.840.113549.1.1.12":
          return "SHA-384";
        case "1.2.840.113549.1.1.13":
          return "SHA-512";
        case "1.2.840.113549.1.1.14":
          return "SHA-224";
        case "1.2.840.113549.1.1.15":
          return "SHA512-224";
        case "1.2.840.113549.1.1.16":
          return "SHA512-256";
        // ECDSA
        case "1.2.840.10045.4.1":
          return "SHA-1";
        case "1.2.840.10045.4.3.1":
          return "SHA-224";
        case "1.2.840.10045.4.3.2":
          return "SHA-256";
        case "1.2.840.10045.4.3.3":
          return "SHA-384";
        case "1.2.840.10045.4.3.4":
          return "SHA-512";
        // RSASSA-PSS: hash is indicated separately
        case "1.2.840.113549.1.1.10": {
          if (index = indexAfterOID, index = expectASN1Seq(data, index).index, data[index++] !== 160) throw x509Error("non-tag data", data);
          index = readASN1Length(data, index).index, index = expectASN1Seq(data, index).index;
          let { oid: hashOID } = readASN1OID(data, index);
          switch (hashOID) {
            // standalone hash OIDs
            case "1.2.840.113549.2.5":
              return "MD5";
            case "1.3.14.3.2.26":
              return "SHA-1";
            case "2.16.840.1.101.3.4.2.1":
              return "SHA-256";
            case "2.16.840.1.101.3.4.2.2":
              return "SHA-384";
            case "2.16.840.1.101.3.4.2.3":
              return "SHA-512";
          }
          throw x509Error("unknown hash OID " + hashOID, data);
        }
        // Ed25519 -- see https://github.com/openssl/openssl/issues/15477
        case "1.3.101.110":
        case "1.3.101.112":
          return "SHA-512";
        // Ed448 -- still not in pg 17.2 (if supported, digest would be SHAKE256 x 64 bytes)
        case "1.3.101.111":
        case "1.3.101.113":
          throw x509Error("Ed448 certificate channel binding is not currently supported by Postgres");
      }
      throw x509Error("unknown OID " + oid, data);
    }
    module2.exports = { signatureAlgorithmHashFromCertificate };
  }
});

// ../../../node_modules/pg/lib/crypto/sasl.js
var require_sasl = __commonJS({
  "../../../node_modules/pg/lib/crypto/sasl.js"(exports2, module2) {
    "use strict";
    var crypto = require_utils4(), { signatureAlgorithmHashFromCertificate } = require_cert_signatures();
    function saslprep(password) {
      let nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
      return password.replace(nonAsciiSpace, " ").replace(mappedToNothing, "").normalize("NFKC");
    }
    var DEFAULT_MAX_SCRAM_ITERATIONS = 1e5;
    function startSession(mechanisms, stream, scramMaxIterations = DEFAULT_MAX_SCRAM_ITERATIONS) {
      let candidates = ["SCRAM-SHA-256"];
      stream && candidates.unshift("SCRAM-SHA-256-PLUS");
      let mechanism = candidates.find((candidate) => mechanisms.includes(candidate));
      if (!mechanism)
        throw new Error("SASL: Only mechanism(s) " + candidates.join(" and ") + " are supported");
      if (mechanism === "SCRAM-SHA-256-PLUS" && typeof stream.getPeerCertificate != "function")
        throw new Error("SASL: Mechanism SCRAM-SHA-256-PLUS requires a certificate");
      let clientNonce = crypto.randomBytes(18).toString("base64");
      return {
        mechanism,
        clientNonce,
        response: (mechanism === "SCRAM-SHA-256-PLUS" ? "p=tls-server-end-point" : stream ? "y" : "n") + ",,n=*,r=" + clientNonce,
        message: "SASLInitialResponse",
        scramMaxIterations
      };
    }
    async function continueSession(session, password, serverData, stream) {
      if (session.message !== "SASLInitialResponse")
        throw new Error("SASL: Last message was not SASLInitialResponse");
      if (typeof password != "string")
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string");
      if (password === "")
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a non-empty string");
      if (typeof serverData != "string")
        throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: serverData must be a string");
      let sv = parseServerFirstMessage(serverData);
      if (sv.nonce.startsWith(session.clientNonce)) {
        if (sv.nonce.length === session.clientNonce.length)
          throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce is too short");
      } else throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce does not start with client nonce");
      let scramMaxIterations = typeof session.scramMaxIterations == "number" ? session.scramMaxIterations : DEFAULT_MAX_SCRAM_ITERATIONS;
      if (scramMaxIterations !== 0 && sv.iteration > scramMaxIterations)
        throw new Error(
          "SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration count " + sv.iteration + " exceeds scramMaxIterations of " + scramMaxIterations
        );
      let clientFirstMessageBare = "n=*,r=" + session.clientNonce, serverFirstMessage = "r=" + sv.nonce + ",s=" + sv.salt + ",i=" + sv.iteration, channelBinding = stream ? "eSws" : "biws";
      if (session.mechanism === "SCRAM-SHA-256-PLUS") {
        let peerCert = stream.getPeerCertificate().raw, hashName = signatureAlgorithmHashFromCertificate(peerCert);
        (hashName === "MD5" || hashName === "SHA-1") && (hashName = "SHA-256");
        let certHash = await crypto.hashByName(hashName, peerCert);
        channelBinding = Buffer.concat([Buffer.from("p=tls-server-end-point,,"), Buffer.from(certHash)]).toString("base64");
      }
      let clientFinalMessageWithoutProof = "c=" + channelBinding + ",r=" + sv.nonce, authMessage = clientFirstMessageBare + "," + serverFirstMessage + "," + clientFinalMessageWithoutProof, saltBytes = Buffer.from(sv.salt, "base64"), saltedPassword = await crypto.deriveKey(saslprep(password), saltBytes, sv.iteration), clientKey = await crypto.hmacSha256(saltedPassword, "Client Key"), storedKey = await crypto.sha256(clientKey), clientSignature = await crypto.hmacSha256(storedKey, authMessage), clientProof = xorBuffers(Buffer.from(clientKey), Buffer.from(clientSignature)).toString("base64"), serverKey = await crypto.hmacSha256(saltedPassword, "Server Key"), serverSignatureBytes = await crypto.hmacSha256(serverKey, authMessage);
      session.message = "SASLResponse", session.serverSignature = Buffer.from(serverSignatureBytes).toString("base64"), session.response = clientFinalMessageWithoutProof + ",p=" + clientProof;
    }
    function finalizeSession(session, serverData) {
      if (session.message !== "SASLResponse")
        throw new Error("SASL: Last message was not SASLResponse");
      if (typeof serverData != "string")
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: serverData must be a string");
      let { serverSignature } = parseServerFinalMessage(serverData);
      if (serverSignature !== session.serverSignature)
        throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match");
    }
    function isPrintableChars(text) {
      if (typeof text != "string")
        throw new TypeError("SASL: text must be a string");
      return text.split("").map((_, i) => text.charCodeAt(i)).every((c) => c >= 33 && c <= 43 || c >= 45 && c <= 126);
    }
    function isBase64(text) {
      return /^(?:[a-zA-Z0-9+/]{4})*(?:[a-zA-Z0-9+/]{2}==|[a-zA-Z0-9+/]{3}=)?$/.test(text);
    }
    function parseAttributePairs(text) {
      if (typeof text != "string")
        throw new TypeError("SASL: attribute pairs text must be a string");
      return new Map(
        text.split(",").map((attrValue) => {
          if (!/^.=/.test(attrValue))
            throw new Error("SASL: Invalid attribute pair entry");
          let name = attrValue[0], value = attrValue.substring(2);
          return [name, value];
        })
      );
    }
    function parseServerFirstMessage(data) {
      let attrPairs = parseAttributePairs(data), nonce = attrPairs.get("r");
      if (nonce) {
        if (!isPrintableChars(nonce))
          throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce must only contain printable characters");
      } else throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce missing");
      let salt = attrPairs.get("s");
      if (salt) {
        if (!isBase64(salt))
          throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: salt must be base64");
      } else throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: salt missing");
      let iterationText = attrPairs.get("i");
      if (iterationText) {
        if (!/^[1-9][0-9]*$/.test(iterationText))
          throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: invalid iteration count");
      } else throw new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration missing");
      let iteration = parseInt(iterationText, 10);
      return {
        nonce,
        salt,
        iteration
      };
    }
    function parseServerFinalMessage(serverData) {
      let attrPairs = parseAttributePairs(serverData), error = attrPairs.get("e"), serverSignature = attrPairs.get("v");
      if (error)
        throw new Error(`SASL: SCRAM-SERVER-FINAL-MESSAGE: server returned error: "${error}"`);
      if (serverSignature) {
        if (!isBase64(serverSignature))
          throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature must be base64");
      } else throw new Error("SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing");
      return {
        serverSignature
      };
    }
    function xorBuffers(a, b) {
      if (!Buffer.isBuffer(a))
        throw new TypeError("first argument must be a Buffer");
      if (!Buffer.isBuffer(b))
        throw new TypeError("second argument must be a Buffer");
      if (a.length !== b.length)
        throw new Error("Buffer lengths must match");
      if (a.length === 0)
        throw new Error("Buffers cannot be empty");
      return Buffer.from(a.map((_, i) => a[i] ^ b[i]));
    }
    module2.exports = {
      startSession,
      continueSession,
      finalizeSession,
      DEFAULT_MAX_SCRAM_ITERATIONS
    };
  }
});

// ../../../node_modules/pg/lib/type-overrides.js
var require_type_overrides = __commonJS({
  "../../../node_modules/pg/lib/type-overrides.js"(exports2, module2) {
    "use strict";
    var types2 = require_pg_types();
    function TypeOverrides2(userTypes) {
      this._types = userTypes || types2, this.text = {}, this.binary = {};
    }
    TypeOverrides2.prototype.getOverrides = function(format) {
      switch (format) {
        case "text":
          return this.text;
        case "binary":
          return this.binary;
        default:
          return {};
      }
    };
    TypeOverrides2.prototype.setTypeParser = function(oid, format, parseFn) {
      typeof format == "function" && (parseFn = format, format = "text"), this.getOverrides(format)[oid] = parseFn;
    };
    TypeOverrides2.prototype.getTypeParser = function(oid, format) {
      return format = format || "text", this.getOverrides(format)[oid] || this._types.getTypeParser(oid, format);
    };
    module2.exports = TypeOverrides2;
  }
});

// ../../../node_modules/pg-connection-string/index.js
var require_pg_connection_string = __commonJS({
  "../../../node_modules/pg-connection-string/index.js"(exports2, module2) {
    "use strict";
    function parse(str, options = {}) {
      if (str.charAt(0) === "/") {
        let config2 = str.split(" ");
        return { host: config2[0], database: config2[1] };
      }
      let config = /* @__PURE__ */ Object.create(null), result, dummyHost = !1;
      / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str) && (str = encodeURI(str).replace(/%25(\d\d)/g, "%$1"));
      try {
        try {
          result = new URL(str, "postgres://base");
        } catch {
          result = new URL(str.replace("@/", "@___DUMMY___/"), "postgres://base"), dummyHost = !0;
        }
      } catch (err) {
        throw err.input && (err.input = "*****REDACTED*****"), err;
      }
      for (let entry of result.searchParams.entries())
        config[entry[0]] = entry[1];
      if (config.user = config.user || decodeURIComponent(result.username), config.password = config.password || decodeURIComponent(result.password), result.protocol == "socket:")
        return config.host = decodeURI(result.pathname), config.database = result.searchParams.get("db"), config.client_encoding = result.searchParams.get("encoding"), config;
      let hostname2 = (dummyHost ? "" : result.hostname).replace(/^\[(.+)\]$/, "$1");
      config.host ? hostname2 && /^%2f/i.test(hostname2) && (result.pathname = hostname2 + result.pathname) : config.host = decodeURIComponent(hostname2), config.port || (config.port = result.port);
      let pathname = result.pathname.slice(1) || null;
      config.database = pathname ? decodeURI(pathname) : null, (config.ssl === "true" || config.ssl === "1") && (config.ssl = !0), config.ssl === "0" && (config.ssl = !1), (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) && (config.ssl = {}), config.sslnegotiation === "direct" && config.ssl === void 0 && (config.ssl = !0);
      let fs = config.sslcert || config.sslkey || config.sslrootcert ? require("fs") : null;
      if (config.sslcert && (config.ssl.cert = fs.readFileSync(config.sslcert).toString()), config.sslkey && (config.ssl.key = fs.readFileSync(config.sslkey).toString()), config.sslrootcert && (config.ssl.ca = fs.readFileSync(config.sslrootcert).toString()), options.useLibpqCompat && config.uselibpqcompat)
        throw new Error("Both useLibpqCompat and uselibpqcompat are set. Please use only one of them.");
      if (config.uselibpqcompat === "true" || options.useLibpqCompat)
        switch (config.sslmode) {
          case "disable": {
            config.ssl = !1;
            break;
          }
          case "prefer": {
            config.ssl.rejectUnauthorized = !1;
            break;
          }
          case "require": {
            config.sslrootcert ? config.ssl.checkServerIdentity = function() {
            } : config.ssl.rejectUnauthorized = !1;
            break;
          }
          case "verify-ca": {
            if (!config.ssl.ca)
              throw new Error(
                "SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security."
              );
            config.ssl.checkServerIdentity = function() {
            };
            break;
          }
          case "verify-full":
            break;
        }
      else
        switch (config.sslmode) {
          case "disable": {
            config.ssl = !1;
            break;
          }
          case "prefer":
          case "require":
          case "verify-ca":
          case "verify-full": {
            config.sslmode !== "verify-full" && deprecatedSslModeWarning(config.sslmode);
            break;
          }
          case "no-verify": {
            config.ssl.rejectUnauthorized = !1;
            break;
          }
        }
      return config;
    }
    function toConnectionOptions(sslConfig) {
      return Object.entries(sslConfig).reduce((c, [key, value]) => (value != null && (c[key] = value), c), /* @__PURE__ */ Object.create(null));
    }
    function toClientConfig(config) {
      return Object.entries(config).reduce((c, [key, value]) => {
        if (key === "ssl") {
          let sslConfig = value;
          typeof sslConfig == "boolean" && (c[key] = sslConfig), typeof sslConfig == "object" && (c[key] = toConnectionOptions(sslConfig));
        } else if (value != null)
          if (key === "port") {
            if (value !== "") {
              let v = parseInt(value, 10);
              if (isNaN(v))
                throw new Error(`Invalid ${key}: ${value}`);
              c[key] = v;
            }
          } else
            c[key] = value;
        return c;
      }, /* @__PURE__ */ Object.create(null));
    }
    function parseIntoClientConfig(str) {
      return toClientConfig(parse(str));
    }
    function deprecatedSslModeWarning(sslmode) {
      !deprecatedSslModeWarning.warned && typeof process < "u" && process.emitWarning && (deprecatedSslModeWarning.warned = !0, process.emitWarning(`SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'.
In the next major version (pg-connection-string v3.0.0 and pg v9.0.0), these modes will adopt standard libpq semantics, which have weaker security guarantees.

To prepare for this change:
- If you want the current behavior, explicitly use 'sslmode=verify-full'
- If you want libpq compatibility now, use 'uselibpqcompat=true&sslmode=${sslmode}'

See https://www.postgresql.org/docs/current/libpq-ssl.html for libpq SSL mode definitions.`));
    }
    module2.exports = parse;
    parse.parse = parse;
    parse.toClientConfig = toClientConfig;
    parse.parseIntoClientConfig = parseIntoClientConfig;
  }
});

// ../../../node_modules/pg/lib/connection-parameters.js
var require_connection_parameters = __commonJS({
  "../../../node_modules/pg/lib/connection-parameters.js"(exports2, module2) {
    "use strict";
    var dns = require("dns"), defaults2 = require_defaults2(), parse = require_pg_connection_string().parse, val = function(key, config, envVar) {
      return config[key] ? config[key] : (envVar === void 0 ? envVar = process.env["PG" + key.toUpperCase()] : envVar === !1 || (envVar = process.env[envVar]), envVar || defaults2[key]);
    }, readSSLConfigFromEnvironment = function() {
      switch (process.env.PGSSLMODE) {
        case "disable":
          return !1;
        case "prefer":
        case "require":
        case "verify-ca":
        case "verify-full":
          return !0;
        case "no-verify":
          return { rejectUnauthorized: !1 };
      }
      return defaults2.ssl;
    }, quoteParamValue = function(value) {
      return "'" + ("" + value).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
    }, add = function(params, config, paramName) {
      let value = config[paramName];
      value != null && params.push(paramName + "=" + quoteParamValue(value));
    }, ConnectionParameters = class {
      constructor(config) {
        if (config = typeof config == "string" ? parse(config) : config || {}, config.connectionString && (config = Object.assign({}, config, parse(config.connectionString))), this.user = val("user", config), this.database = val("database", config), this.database === void 0 && (this.database = this.user), this.port = parseInt(val("port", config), 10), this.host = val("host", config), Object.defineProperty(this, "password", {
          configurable: !0,
          enumerable: !1,
          writable: !0,
          value: val("password", config)
        }), this.binary = val("binary", config), this.options = val("options", config), this.ssl = typeof config.ssl > "u" ? readSSLConfigFromEnvironment() : config.ssl, typeof this.ssl == "string" && this.ssl === "true" && (this.ssl = !0), this.ssl === "no-verify" && (this.ssl = { rejectUnauthorized: !1 }), this.ssl && this.ssl.key && Object.defineProperty(this.ssl, "key", {
          enumerable: !1
        }), this.sslnegotiation = val("sslnegotiation", config, "PGSSLNEGOTIATION"), this.sslnegotiation !== void 0 && this.sslnegotiation !== "postgres" && this.sslnegotiation !== "direct")
          throw new Error(
            `Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`
          );
        if (this.sslnegotiation === "direct" && !this.ssl)
          throw new Error("sslnegotiation=direct requires SSL to be enabled");
        this.client_encoding = val("client_encoding", config), this.replication = val("replication", config), this.isDomainSocket = !(this.host || "").indexOf("/"), this.application_name = val("application_name", config, "PGAPPNAME"), this.fallback_application_name = val("fallback_application_name", config, !1), this.statement_timeout = val("statement_timeout", config, !1), this.lock_timeout = val("lock_timeout", config, !1), this.idle_in_transaction_session_timeout = val("idle_in_transaction_session_timeout", config, !1), this.query_timeout = val("query_timeout", config, !1), config.connectionTimeoutMillis === void 0 ? this.connect_timeout = process.env.PGCONNECT_TIMEOUT || 0 : this.connect_timeout = Math.floor(config.connectionTimeoutMillis / 1e3), config.keepAlive === !1 ? this.keepalives = 0 : config.keepAlive === !0 && (this.keepalives = 1), typeof config.keepAliveInitialDelayMillis == "number" && (this.keepalives_idle = Math.floor(config.keepAliveInitialDelayMillis / 1e3));
      }
      getLibpqConnectionString(cb) {
        let params = [];
        add(params, this, "user"), add(params, this, "password"), add(params, this, "port"), add(params, this, "application_name"), add(params, this, "fallback_application_name"), add(params, this, "connect_timeout"), add(params, this, "options");
        let ssl = typeof this.ssl == "object" ? this.ssl : this.ssl ? { sslmode: this.ssl } : {};
        if (add(params, ssl, "sslmode"), add(params, ssl, "sslca"), add(params, ssl, "sslkey"), add(params, ssl, "sslcert"), add(params, ssl, "sslrootcert"), add(params, this, "sslnegotiation"), this.database && params.push("dbname=" + quoteParamValue(this.database)), this.replication && params.push("replication=" + quoteParamValue(this.replication)), this.host && params.push("host=" + quoteParamValue(this.host)), this.isDomainSocket)
          return cb(null, params.join(" "));
        this.client_encoding && params.push("client_encoding=" + quoteParamValue(this.client_encoding)), dns.lookup(this.host, function(err, address) {
          return err ? cb(err, null) : (params.push("hostaddr=" + quoteParamValue(address)), cb(null, params.join(" ")));
        });
      }
    };
    module2.exports = ConnectionParameters;
  }
});

// ../../../node_modules/pg/lib/result.js
var require_result = __commonJS({
  "../../../node_modules/pg/lib/result.js"(exports2, module2) {
    "use strict";
    var types2 = require_pg_types(), matchRegexp = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/, Result2 = class {
      constructor(rowMode, types3) {
        this.command = null, this.rowCount = null, this.oid = null, this.rows = [], this.fields = [], this._parsers = void 0, this._types = types3, this.RowCtor = null, this.rowAsArray = rowMode === "array", this.rowAsArray && (this.parseRow = this._parseRowAsArray), this._prebuiltEmptyResultObject = null;
      }
      // adds a command complete message
      addCommandComplete(msg) {
        let match;
        msg.text ? match = matchRegexp.exec(msg.text) : match = matchRegexp.exec(msg.command), match && (this.command = match[1], match[3] ? (this.oid = parseInt(match[2], 10), this.rowCount = parseInt(match[3], 10)) : match[2] && (this.rowCount = parseInt(match[2], 10)));
      }
      _parseRowAsArray(rowData) {
        let row = new Array(rowData.length);
        for (let i = 0, len = rowData.length; i < len; i++) {
          let rawValue = rowData[i];
          rawValue !== null ? row[i] = this._parsers[i](rawValue) : row[i] = null;
        }
        return row;
      }
      parseRow(rowData) {
        let row = { ...this._prebuiltEmptyResultObject };
        for (let i = 0, len = rowData.length; i < len; i++) {
          let rawValue = rowData[i], field = this.fields[i].name;
          if (rawValue !== null) {
            let v = this.fields[i].format === "binary" ? Buffer.from(rawValue) : rawValue;
            row[field] = this._parsers[i](v);
          } else
            row[field] = null;
        }
        return row;
      }
      addRow(row) {
        this.rows.push(row);
      }
      addFields(fieldDescriptions) {
        this.fields = fieldDescriptions, this.fields.length && (this._parsers = new Array(fieldDescriptions.length));
        let row = /* @__PURE__ */ Object.create(null);
        for (let i = 0; i < fieldDescriptions.length; i++) {
          let desc = fieldDescriptions[i];
          row[desc.name] = null, this._types ? this._parsers[i] = this._types.getTypeParser(desc.dataTypeID, desc.format || "text") : this._parsers[i] = types2.getTypeParser(desc.dataTypeID, desc.format || "text");
        }
        this._prebuiltEmptyResultObject = { ...row };
      }
    };
    module2.exports = Result2;
  }
});

// ../../../node_modules/pg/lib/query.js
var require_query = __commonJS({
  "../../../node_modules/pg/lib/query.js"(exports2, module2) {
    "use strict";
    var { EventEmitter } = require("events"), Result2 = require_result(), utils = require_utils3(), Query2 = class extends EventEmitter {
      constructor(config, values, callback) {
        super(), config = utils.normalizeQueryConfig(config, values, callback), this.text = config.text, this.values = config.values, this.rows = config.rows, this.types = config.types, this.name = config.name, this.queryMode = config.queryMode, this.binary = config.binary, this.portal = config.portal || "", this.callback = config.callback, this._rowMode = config.rowMode, process.domain && config.callback && (this.callback = process.domain.bind(config.callback)), this._result = new Result2(this._rowMode, this.types), this._results = this._result, this._canceledDueToError = !1;
      }
      requiresPreparation() {
        return this.queryMode === "extended" || this.name || this.rows ? !0 : !this.text || !this.values ? !1 : this.values.length > 0;
      }
      _checkForMultirow() {
        this._result.command && (Array.isArray(this._results) || (this._results = [this._result]), this._result = new Result2(this._rowMode, this._result._types), this._results.push(this._result));
      }
      // associates row metadata from the supplied
      // message with this query object
      // metadata used when parsing row results
      handleRowDescription(msg) {
        this._checkForMultirow(), this._result.addFields(msg.fields), this._accumulateRows = this.callback || !this.listeners("row").length;
      }
      handleDataRow(msg) {
        let row;
        if (!this._canceledDueToError) {
          try {
            row = this._result.parseRow(msg.fields);
          } catch (err) {
            this._canceledDueToError = err;
            return;
          }
          this.emit("row", row, this._result), this._accumulateRows && this._result.addRow(row);
        }
      }
      handleCommandComplete(msg, connection) {
        this._checkForMultirow(), this._result.addCommandComplete(msg), this.rows && connection.sync();
      }
      // if a named prepared statement is created with empty query text
      // the backend will send an emptyQuery message but *not* a command complete message
      // since we pipeline sync immediately after execute we don't need to do anything here
      // unless we have rows specified, in which case we did not pipeline the initial sync call
      handleEmptyQuery(connection) {
        this.rows && connection.sync();
      }
      handleError(err, connection) {
        if (this._canceledDueToError && (err = this._canceledDueToError, this._canceledDueToError = !1), this.callback)
          return this.callback(err);
        this.emit("error", err);
      }
      handleReadyForQuery(con) {
        if (this._canceledDueToError)
          return this.handleError(this._canceledDueToError, con);
        if (this.callback)
          try {
            this.callback(null, this._results);
          } catch (err) {
            process.nextTick(() => {
              throw err;
            });
          }
        this.emit("end", this._results);
      }
      submit(connection) {
        if (typeof this.text != "string" && typeof this.name != "string")
          return new Error("A query must have either text or a name. Supplying neither is unsupported.");
        let previous = connection.parsedStatements[this.name] || connection.submittedNamedStatements[this.name];
        if (this.text && previous && this.text !== previous)
          return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
        if (this.values && !Array.isArray(this.values))
          return new Error("Query values must be an array");
        if (this.requiresPreparation()) {
          connection.stream.cork && connection.stream.cork();
          try {
            this.prepare(connection);
          } finally {
            connection.stream.uncork && connection.stream.uncork();
          }
        } else
          connection.query(this.text);
        return null;
      }
      hasBeenParsed(connection) {
        return this.name && (connection.parsedStatements[this.name] !== void 0 || connection.submittedNamedStatements[this.name] !== void 0);
      }
      handlePortalSuspended(connection) {
        this._getRows(connection, this.rows);
      }
      _getRows(connection, rows) {
        connection.execute({
          portal: this.portal,
          rows
        }), rows ? connection.flush() : connection.sync();
      }
      // http://developer.postgresql.org/pgdocs/postgres/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
      prepare(connection) {
        this.hasBeenParsed(connection) || (connection.parse({
          text: this.text,
          name: this.name,
          types: this.types
        }), this.name && (connection.submittedNamedStatements[this.name] = this.text));
        try {
          connection.bind({
            portal: this.portal,
            statement: this.name,
            values: this.values,
            binary: this.binary,
            valueMapper: utils.prepareValue
          });
        } catch (err) {
          connection.close({ type: "S", name: this.name }), connection.sync(), this.handleError(err, connection);
          return;
        }
        connection.describe({
          type: "P",
          name: this.portal || ""
        }), this._getRows(connection, this.rows);
      }
      handleCopyInResponse(connection) {
        connection.sendCopyFail("No source stream defined");
      }
      handleCopyData(msg, connection) {
      }
    };
    module2.exports = Query2;
  }
});

// ../../../node_modules/pg-protocol/dist/messages.js
var require_messages = __commonJS({
  "../../../node_modules/pg-protocol/dist/messages.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.NoticeMessage = exports2.DataRowMessage = exports2.CommandCompleteMessage = exports2.ReadyForQueryMessage = exports2.NotificationResponseMessage = exports2.BackendKeyDataMessage = exports2.AuthenticationMD5Password = exports2.ParameterStatusMessage = exports2.ParameterDescriptionMessage = exports2.RowDescriptionMessage = exports2.Field = exports2.CopyResponse = exports2.CopyDataMessage = exports2.DatabaseError = exports2.copyDone = exports2.emptyQuery = exports2.replicationStart = exports2.portalSuspended = exports2.noData = exports2.closeComplete = exports2.bindComplete = exports2.parseComplete = void 0;
    exports2.parseComplete = {
      name: "parseComplete",
      length: 5
    };
    exports2.bindComplete = {
      name: "bindComplete",
      length: 5
    };
    exports2.closeComplete = {
      name: "closeComplete",
      length: 5
    };
    exports2.noData = {
      name: "noData",
      length: 5
    };
    exports2.portalSuspended = {
      name: "portalSuspended",
      length: 5
    };
    exports2.replicationStart = {
      name: "replicationStart",
      length: 4
    };
    exports2.emptyQuery = {
      name: "emptyQuery",
      length: 4
    };
    exports2.copyDone = {
      name: "copyDone",
      length: 4
    };
    var DatabaseError2 = class extends Error {
      constructor(message, length, name) {
        super(message), this.length = length, this.name = name;
      }
    };
    exports2.DatabaseError = DatabaseError2;
    var CopyDataMessage = class {
      constructor(length, chunk) {
        this.length = length, this.chunk = chunk, this.name = "copyData";
      }
    };
    exports2.CopyDataMessage = CopyDataMessage;
    var CopyResponse = class {
      constructor(length, name, binary, columnCount) {
        this.length = length, this.name = name, this.binary = binary, this.columnTypes = new Array(columnCount);
      }
    };
    exports2.CopyResponse = CopyResponse;
    var Field = class {
      constructor(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format) {
        this.name = name, this.tableID = tableID, this.columnID = columnID, this.dataTypeID = dataTypeID, this.dataTypeSize = dataTypeSize, this.dataTypeModifier = dataTypeModifier, this.format = format;
      }
    };
    exports2.Field = Field;
    var RowDescriptionMessage = class {
      constructor(length, fieldCount) {
        this.length = length, this.fieldCount = fieldCount, this.name = "rowDescription", this.fields = new Array(this.fieldCount);
      }
    };
    exports2.RowDescriptionMessage = RowDescriptionMessage;
    var ParameterDescriptionMessage = class {
      constructor(length, parameterCount) {
        this.length = length, this.parameterCount = parameterCount, this.name = "parameterDescription", this.dataTypeIDs = new Array(this.parameterCount);
      }
    };
    exports2.ParameterDescriptionMessage = ParameterDescriptionMessage;
    var ParameterStatusMessage = class {
      constructor(length, parameterName, parameterValue) {
        this.length = length, this.parameterName = parameterName, this.parameterValue = parameterValue, this.name = "parameterStatus";
      }
    };
    exports2.ParameterStatusMessage = ParameterStatusMessage;
    var AuthenticationMD5Password = class {
      constructor(length, salt) {
        this.length = length, this.salt = salt, this.name = "authenticationMD5Password";
      }
    };
    exports2.AuthenticationMD5Password = AuthenticationMD5Password;
    var BackendKeyDataMessage = class {
      constructor(length, processID, secretKey) {
        this.length = length, this.processID = processID, this.secretKey = secretKey, this.name = "backendKeyData";
      }
    };
    exports2.BackendKeyDataMessage = BackendKeyDataMessage;
    var NotificationResponseMessage = class {
      constructor(length, processId, channel, payload) {
        this.length = length, this.processId = processId, this.channel = channel, this.payload = payload, this.name = "notification";
      }
    };
    exports2.NotificationResponseMessage = NotificationResponseMessage;
    var ReadyForQueryMessage = class {
      constructor(length, status) {
        this.length = length, this.status = status, this.name = "readyForQuery";
      }
    };
    exports2.ReadyForQueryMessage = ReadyForQueryMessage;
    var CommandCompleteMessage = class {
      constructor(length, text) {
        this.length = length, this.text = text, this.name = "commandComplete";
      }
    };
    exports2.CommandCompleteMessage = CommandCompleteMessage;
    var DataRowMessage = class {
      constructor(length, fields) {
        this.length = length, this.fields = fields, this.name = "dataRow", this.fieldCount = fields.length;
      }
    };
    exports2.DataRowMessage = DataRowMessage;
    var NoticeMessage = class {
      constructor(length, message) {
        this.length = length, this.message = message, this.name = "notice";
      }
    };
    exports2.NoticeMessage = NoticeMessage;
  }
});

// ../../../node_modules/pg-protocol/dist/buffer-writer.js
var require_buffer_writer = __commonJS({
  "../../../node_modules/pg-protocol/dist/buffer-writer.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.Writer = void 0;
    var Writer = class {
      constructor(size = 256) {
        this.size = size, this.offset = 5, this.headerPosition = 0, this.buffer = Buffer.allocUnsafe(size);
      }
      ensure(size) {
        if (this.buffer.length - this.offset < size) {
          let oldBuffer = this.buffer, newSize = oldBuffer.length + (oldBuffer.length >> 1) + size;
          this.buffer = Buffer.allocUnsafe(newSize), oldBuffer.copy(this.buffer, 0, 0, this.offset);
        }
      }
      addInt32(num) {
        return this.ensure(4), this.buffer[this.offset++] = num >>> 24 & 255, this.buffer[this.offset++] = num >>> 16 & 255, this.buffer[this.offset++] = num >>> 8 & 255, this.buffer[this.offset++] = num >>> 0 & 255, this;
      }
      addInt16(num) {
        return this.ensure(2), this.buffer[this.offset++] = num >>> 8 & 255, this.buffer[this.offset++] = num >>> 0 & 255, this;
      }
      addCString(string) {
        if (!string)
          this.ensure(1);
        else {
          let len = Buffer.byteLength(string);
          this.ensure(len + 1), this.buffer.write(string, this.offset, "utf-8"), this.offset += len;
        }
        return this.buffer[this.offset++] = 0, this;
      }
      addString(string = "") {
        let len = Buffer.byteLength(string);
        return this.ensure(len), this.buffer.write(string, this.offset), this.offset += len, this;
      }
      // Write an Int32 byte-length prefix immediately followed by the string's UTF-8
      // bytes. Postgres' Bind wire format prefixes every parameter with its length,
      // and doing it in one method computes Buffer.byteLength ONCE — the previous
      // `addInt32(Buffer.byteLength(s)).addString(s)` pairing scanned the string
      // three times (byteLength for the prefix, byteLength again inside addString,
      // then the encode), which is costly for large text parameters.
      addInt32PrefixedString(string) {
        let len = Buffer.byteLength(string);
        this.ensure(4 + len);
        let buffer = this.buffer, offset = this.offset;
        return buffer[offset++] = len >>> 24 & 255, buffer[offset++] = len >>> 16 & 255, buffer[offset++] = len >>> 8 & 255, buffer[offset++] = len >>> 0 & 255, buffer.write(string, offset, "utf-8"), this.offset = offset + len, this;
      }
      add(otherBuffer) {
        return this.ensure(otherBuffer.length), otherBuffer.copy(this.buffer, this.offset), this.offset += otherBuffer.length, this;
      }
      /**
       * Appends an uninitialized block of {@link size} bytes to the buffer and returns its offset.
       */
      reserveUnsafe(size) {
        let offset = this.offset;
        return this.ensure(size), this.offset += size, offset;
      }
      join(code) {
        if (code) {
          this.buffer[this.headerPosition] = code;
          let length = this.offset - (this.headerPosition + 1);
          this.buffer.writeInt32BE(length, this.headerPosition + 1);
        }
        return this.buffer.slice(code ? 0 : 5, this.offset);
      }
      flush(code) {
        let result = this.join(code);
        return this.offset = 5, this.headerPosition = 0, this.buffer = Buffer.allocUnsafe(this.size), result;
      }
      clear() {
        this.offset = 5, this.headerPosition = 0;
      }
    };
    exports2.Writer = Writer;
  }
});

// ../../../node_modules/pg-protocol/dist/serializer.js
var require_serializer = __commonJS({
  "../../../node_modules/pg-protocol/dist/serializer.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.serialize = void 0;
    var buffer_writer_1 = require_buffer_writer(), writer = new buffer_writer_1.Writer(), startup = (opts) => {
      writer.addInt16(3).addInt16(0);
      for (let key of Object.keys(opts))
        writer.addCString(key).addCString(opts[key]);
      writer.addCString("client_encoding").addCString("UTF8");
      let bodyBuffer = writer.addCString("").flush(), length = bodyBuffer.length + 4;
      return new buffer_writer_1.Writer().addInt32(length).add(bodyBuffer).flush();
    }, requestSsl = () => {
      let response = Buffer.allocUnsafe(8);
      return response.writeInt32BE(8, 0), response.writeInt32BE(80877103, 4), response;
    }, password = (password2) => writer.addCString(password2).flush(
      112
      /* code.startup */
    ), sendSASLInitialResponseMessage = function(mechanism, initialResponse) {
      return writer.addCString(mechanism).addInt32PrefixedString(initialResponse), writer.flush(
        112
        /* code.startup */
      );
    }, sendSCRAMClientFinalMessage = function(additionalData) {
      return writer.addString(additionalData).flush(
        112
        /* code.startup */
      );
    }, query = (text) => writer.addCString(text).flush(
      81
      /* code.query */
    ), emptyArray = [], parse = (query2) => {
      let name = query2.name || "";
      name.length > 63 && (console.error("Warning! Postgres only supports 63 characters for query names."), console.error("You supplied %s (%s)", name, name.length), console.error("This can cause conflicts and silent errors executing queries"));
      let types2 = query2.types || emptyArray, len = types2.length, buffer = writer.addCString(name).addCString(query2.text).addInt16(len);
      for (let i = 0; i < len; i++)
        buffer.addInt32(types2[i]);
      return writer.flush(
        80
        /* code.parse */
      );
    }, writeValues = function(values, valueMapper, formatsOffset) {
      let len = values.length;
      for (let i = 0; i < len; i++) {
        let mappedVal = valueMapper ? valueMapper(values[i], i) : values[i], formatByte = 0;
        mappedVal == null ? writer.addInt32(-1) : mappedVal instanceof Buffer ? (formatByte = 1, writer.addInt32(mappedVal.length), writer.add(mappedVal)) : writer.addInt32PrefixedString(mappedVal);
        let buf = writer.buffer;
        buf[formatsOffset++] = 0, buf[formatsOffset++] = formatByte;
      }
    }, bind = (config = {}) => {
      let portal = config.portal || "", statement = config.statement || "", binary = config.binary || !1, values = config.values || emptyArray, len = values.length;
      writer.addCString(portal).addCString(statement), writer.addInt16(len);
      let formatsOffset = writer.reserveUnsafe(len * 2);
      writer.addInt16(len);
      try {
        writeValues(values, config.valueMapper, formatsOffset);
      } catch (err) {
        throw writer.clear(), err;
      }
      return writer.addInt16(1), writer.addInt16(
        binary ? 1 : 0
        /* ParamType.STRING */
      ), writer.flush(
        66
        /* code.bind */
      );
    }, emptyExecute = Buffer.from([69, 0, 0, 0, 9, 0, 0, 0, 0, 0]), execute = (config) => {
      if (!config || !config.portal && !config.rows)
        return emptyExecute;
      let portal = config.portal || "", rows = config.rows || 0, portalLength = Buffer.byteLength(portal), len = 4 + portalLength + 1 + 4, buff = Buffer.allocUnsafe(1 + len);
      return buff[0] = 69, buff.writeInt32BE(len, 1), buff.write(portal, 5, "utf-8"), buff[portalLength + 5] = 0, buff.writeUInt32BE(rows, buff.length - 4), buff;
    }, cancel = (processID, secretKey) => {
      let buffer = Buffer.allocUnsafe(16);
      return buffer.writeInt32BE(16, 0), buffer.writeInt16BE(1234, 4), buffer.writeInt16BE(5678, 6), buffer.writeInt32BE(processID, 8), buffer.writeInt32BE(secretKey, 12), buffer;
    }, cstringMessage = (code, string) => {
      let len = 4 + Buffer.byteLength(string) + 1, buffer = Buffer.allocUnsafe(1 + len);
      return buffer[0] = code, buffer.writeInt32BE(len, 1), buffer.write(string, 5, "utf-8"), buffer[len] = 0, buffer;
    }, emptyDescribePortal = writer.addCString("P").flush(
      68
      /* code.describe */
    ), emptyDescribeStatement = writer.addCString("S").flush(
      68
      /* code.describe */
    ), describe2 = (msg) => msg.name ? cstringMessage(68, `${msg.type}${msg.name || ""}`) : msg.type === "P" ? emptyDescribePortal : emptyDescribeStatement, close = (msg) => {
      let text = `${msg.type}${msg.name || ""}`;
      return cstringMessage(67, text);
    }, copyData = (chunk) => writer.add(chunk).flush(
      100
      /* code.copyFromChunk */
    ), copyFail = (message) => cstringMessage(102, message), codeOnlyBuffer = (code) => Buffer.from([code, 0, 0, 0, 4]), flushBuffer = codeOnlyBuffer(
      72
      /* code.flush */
    ), syncBuffer = codeOnlyBuffer(
      83
      /* code.sync */
    ), endBuffer = codeOnlyBuffer(
      88
      /* code.end */
    ), copyDoneBuffer = codeOnlyBuffer(
      99
      /* code.copyDone */
    ), serialize = {
      startup,
      password,
      requestSsl,
      sendSASLInitialResponseMessage,
      sendSCRAMClientFinalMessage,
      query,
      parse,
      bind,
      execute,
      describe: describe2,
      close,
      flush: () => flushBuffer,
      sync: () => syncBuffer,
      end: () => endBuffer,
      copyData,
      copyDone: () => copyDoneBuffer,
      copyFail,
      cancel
    };
    exports2.serialize = serialize;
  }
});

// ../../../node_modules/pg-protocol/dist/buffer-reader.js
var require_buffer_reader = __commonJS({
  "../../../node_modules/pg-protocol/dist/buffer-reader.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.BufferReader = void 0;
    var BufferReader = class {
      constructor(offset = 0) {
        this.offset = offset, this.buffer = Buffer.allocUnsafe(0), this.encoding = "utf-8";
      }
      setBuffer(offset, buffer) {
        this.offset = offset, this.buffer = buffer;
      }
      int16() {
        let result = this.buffer.readInt16BE(this.offset);
        return this.offset += 2, result;
      }
      byte() {
        let result = this.buffer[this.offset];
        return this.offset++, result;
      }
      int32() {
        let result = this.buffer.readInt32BE(this.offset);
        return this.offset += 4, result;
      }
      uint32() {
        let result = this.buffer.readUInt32BE(this.offset);
        return this.offset += 4, result;
      }
      string(length) {
        let result = this.buffer.toString(this.encoding, this.offset, this.offset + length);
        return this.offset += length, result;
      }
      cstring() {
        let start2 = this.offset, end = start2;
        for (; this.buffer[end++]; )
          ;
        return this.offset = end, this.buffer.toString(this.encoding, start2, end - 1);
      }
      bytes(length) {
        let result = this.buffer.slice(this.offset, this.offset + length);
        return this.offset += length, result;
      }
    };
    exports2.BufferReader = BufferReader;
  }
});

// ../../../node_modules/pg-protocol/dist/parser.js
var require_parser2 = __commonJS({
  "../../../node_modules/pg-protocol/dist/parser.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.Parser = void 0;
    var messages_1 = require_messages(), buffer_reader_1 = require_buffer_reader(), CODE_LENGTH = 1, LEN_LENGTH = 4, HEADER_LENGTH = CODE_LENGTH + LEN_LENGTH, LATEINIT_LENGTH = -1, emptyBuffer = Buffer.allocUnsafe(0), Parser = class {
      constructor(opts) {
        if (this.buffer = emptyBuffer, this.bufferLength = 0, this.bufferOffset = 0, this.reader = new buffer_reader_1.BufferReader(), opts?.mode === "binary")
          throw new Error("Binary mode not supported yet");
        this.mode = opts?.mode || "text";
      }
      parse(buffer, callback) {
        this.mergeBuffer(buffer);
        let bufferFullLength = this.bufferOffset + this.bufferLength, offset = this.bufferOffset;
        for (; offset + HEADER_LENGTH <= bufferFullLength; ) {
          let code = this.buffer[offset], length = this.buffer.readUInt32BE(offset + CODE_LENGTH), fullMessageLength = CODE_LENGTH + length;
          if (fullMessageLength + offset <= bufferFullLength) {
            let message = this.handlePacket(offset + HEADER_LENGTH, code, length, this.buffer);
            callback(message), offset += fullMessageLength;
          } else
            break;
        }
        offset === bufferFullLength ? (this.buffer = emptyBuffer, this.bufferLength = 0, this.bufferOffset = 0) : (this.bufferLength = bufferFullLength - offset, this.bufferOffset = offset);
      }
      mergeBuffer(buffer) {
        if (this.bufferLength > 0) {
          let newLength = this.bufferLength + buffer.byteLength;
          if (newLength + this.bufferOffset > this.buffer.byteLength) {
            let newBuffer;
            if (newLength <= this.buffer.byteLength && this.bufferOffset >= this.bufferLength)
              newBuffer = this.buffer;
            else {
              let newBufferLength = this.buffer.byteLength * 2;
              for (; newLength >= newBufferLength; )
                newBufferLength *= 2;
              newBuffer = Buffer.allocUnsafe(newBufferLength);
            }
            this.buffer.copy(newBuffer, 0, this.bufferOffset, this.bufferOffset + this.bufferLength), this.buffer = newBuffer, this.bufferOffset = 0;
          }
          buffer.copy(this.buffer, this.bufferOffset + this.bufferLength), this.bufferLength = newLength;
        } else
          this.buffer = buffer, this.bufferOffset = 0, this.bufferLength = buffer.byteLength;
      }
      handlePacket(offset, code, length, bytes) {
        let { reader } = this;
        reader.setBuffer(offset, bytes);
        let message;
        switch (code) {
          case 50:
            message = messages_1.bindComplete;
            break;
          case 49:
            message = messages_1.parseComplete;
            break;
          case 51:
            message = messages_1.closeComplete;
            break;
          case 110:
            message = messages_1.noData;
            break;
          case 115:
            message = messages_1.portalSuspended;
            break;
          case 99:
            message = messages_1.copyDone;
            break;
          case 87:
            message = messages_1.replicationStart;
            break;
          case 73:
            message = messages_1.emptyQuery;
            break;
          case 68:
            message = parseDataRowMessage(reader);
            break;
          case 67:
            message = parseCommandCompleteMessage(reader);
            break;
          case 90:
            message = parseReadyForQueryMessage(reader);
            break;
          case 65:
            message = parseNotificationMessage(reader);
            break;
          case 82:
            message = parseAuthenticationResponse(reader, length);
            break;
          case 83:
            message = parseParameterStatusMessage(reader);
            break;
          case 75:
            message = parseBackendKeyData(reader);
            break;
          case 69:
            message = parseErrorMessage(reader, "error");
            break;
          case 78:
            message = parseErrorMessage(reader, "notice");
            break;
          case 84:
            message = parseRowDescriptionMessage(reader);
            break;
          case 116:
            message = parseParameterDescriptionMessage(reader);
            break;
          case 71:
            message = parseCopyInMessage(reader);
            break;
          case 72:
            message = parseCopyOutMessage(reader);
            break;
          case 100:
            message = parseCopyData(reader, length);
            break;
          default:
            return new messages_1.DatabaseError("received invalid response: " + code.toString(16), length, "error");
        }
        return reader.setBuffer(0, emptyBuffer), message.length = length, message;
      }
    };
    exports2.Parser = Parser;
    var parseReadyForQueryMessage = (reader) => {
      let status = reader.string(1);
      return new messages_1.ReadyForQueryMessage(LATEINIT_LENGTH, status);
    }, parseCommandCompleteMessage = (reader) => {
      let text = reader.cstring();
      return new messages_1.CommandCompleteMessage(LATEINIT_LENGTH, text);
    }, parseCopyData = (reader, length) => {
      let chunk = reader.bytes(length - 4);
      return new messages_1.CopyDataMessage(LATEINIT_LENGTH, chunk);
    }, parseCopyInMessage = (reader) => parseCopyMessage(reader, "copyInResponse"), parseCopyOutMessage = (reader) => parseCopyMessage(reader, "copyOutResponse"), parseCopyMessage = (reader, messageName) => {
      let isBinary = reader.byte() !== 0, columnCount = reader.int16(), message = new messages_1.CopyResponse(LATEINIT_LENGTH, messageName, isBinary, columnCount);
      for (let i = 0; i < columnCount; i++)
        message.columnTypes[i] = reader.int16();
      return message;
    }, parseNotificationMessage = (reader) => {
      let processId = reader.int32(), channel = reader.cstring(), payload = reader.cstring();
      return new messages_1.NotificationResponseMessage(LATEINIT_LENGTH, processId, channel, payload);
    }, parseRowDescriptionMessage = (reader) => {
      let fieldCount = reader.int16(), message = new messages_1.RowDescriptionMessage(LATEINIT_LENGTH, fieldCount);
      for (let i = 0; i < fieldCount; i++)
        message.fields[i] = parseField(reader);
      return message;
    }, parseField = (reader) => {
      let name = reader.cstring(), tableID = reader.uint32(), columnID = reader.int16(), dataTypeID = reader.uint32(), dataTypeSize = reader.int16(), dataTypeModifier = reader.int32(), mode = reader.int16() === 0 ? "text" : "binary";
      return new messages_1.Field(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, mode);
    }, parseParameterDescriptionMessage = (reader) => {
      let parameterCount = reader.int16(), message = new messages_1.ParameterDescriptionMessage(LATEINIT_LENGTH, parameterCount);
      for (let i = 0; i < parameterCount; i++)
        message.dataTypeIDs[i] = reader.uint32();
      return message;
    }, parseDataRowMessage = (reader) => {
      let fieldCount = reader.int16(), fields = new Array(fieldCount);
      for (let i = 0; i < fieldCount; i++) {
        let len = reader.int32();
        fields[i] = len === -1 ? null : reader.string(len);
      }
      return new messages_1.DataRowMessage(LATEINIT_LENGTH, fields);
    }, parseParameterStatusMessage = (reader) => {
      let name = reader.cstring(), value = reader.cstring();
      return new messages_1.ParameterStatusMessage(LATEINIT_LENGTH, name, value);
    }, parseBackendKeyData = (reader) => {
      let processID = reader.int32(), secretKey = reader.int32();
      return new messages_1.BackendKeyDataMessage(LATEINIT_LENGTH, processID, secretKey);
    }, parseAuthenticationResponse = (reader, length) => {
      let code = reader.int32(), message = {
        name: "authenticationOk",
        length
      };
      switch (code) {
        case 0:
          break;
        case 3:
          message.length === 8 && (message.name = "authenticationCleartextPassword");
          break;
        case 5:
          if (message.length === 12) {
            message.name = "authenticationMD5Password";
            let salt = reader.bytes(4);
            return new messages_1.AuthenticationMD5Password(LATEINIT_LENGTH, salt);
          }
          break;
        case 10:
          {
            message.name = "authenticationSASL", message.mechanisms = [];
            let mechanism;
            do
              mechanism = reader.cstring(), mechanism && message.mechanisms.push(mechanism);
            while (mechanism);
          }
          break;
        case 11:
          message.name = "authenticationSASLContinue", message.data = reader.string(length - 8);
          break;
        case 12:
          message.name = "authenticationSASLFinal", message.data = reader.string(length - 8);
          break;
        default:
          throw new Error("Unknown authenticationOk message type " + code);
      }
      return message;
    }, parseErrorMessage = (reader, name) => {
      let fields = {}, fieldType = reader.string(1);
      for (; fieldType !== "\0"; )
        fields[fieldType] = reader.cstring(), fieldType = reader.string(1);
      let messageValue = fields.M, message = name === "notice" ? new messages_1.NoticeMessage(LATEINIT_LENGTH, messageValue) : new messages_1.DatabaseError(messageValue, LATEINIT_LENGTH, name);
      return message.severity = fields.S, message.code = fields.C, message.detail = fields.D, message.hint = fields.H, message.position = fields.P, message.internalPosition = fields.p, message.internalQuery = fields.q, message.where = fields.W, message.schema = fields.s, message.table = fields.t, message.column = fields.c, message.dataType = fields.d, message.constraint = fields.n, message.file = fields.F, message.line = fields.L, message.routine = fields.R, message;
    };
  }
});

// ../../../node_modules/pg-protocol/dist/index.js
var require_dist = __commonJS({
  "../../../node_modules/pg-protocol/dist/index.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.DatabaseError = exports2.serialize = void 0;
    exports2.parse = parse;
    var messages_1 = require_messages();
    Object.defineProperty(exports2, "DatabaseError", { enumerable: !0, get: function() {
      return messages_1.DatabaseError;
    } });
    var serializer_1 = require_serializer();
    Object.defineProperty(exports2, "serialize", { enumerable: !0, get: function() {
      return serializer_1.serialize;
    } });
    var parser_1 = require_parser2();
    function parse(stream, callback) {
      let parser = new parser_1.Parser();
      return stream.on("data", (buffer) => parser.parse(buffer, callback)), new Promise((resolve) => stream.on("end", () => resolve()));
    }
  }
});

// ../../../node_modules/pg-cloudflare/dist/empty.js
var require_empty = __commonJS({
  "../../../node_modules/pg-cloudflare/dist/empty.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.default = {};
  }
});

// ../../../node_modules/pg/lib/stream.js
var require_stream = __commonJS({
  "../../../node_modules/pg/lib/stream.js"(exports2, module2) {
    var { getStream, getSecureStream } = getStreamFuncs();
    module2.exports = {
      /**
       * Get a socket stream compatible with the current runtime environment.
       * @returns {Duplex}
       */
      getStream,
      /**
       * Get a TLS secured socket, compatible with the current environment,
       * using the socket and other settings given in `options`.
       * @returns {Duplex}
       */
      getSecureStream
    };
    function getNodejsStreamFuncs() {
      function getStream2(ssl) {
        let net = require("net");
        return new net.Socket();
      }
      function getSecureStream2(options) {
        return require("tls").connect(options);
      }
      return {
        getStream: getStream2,
        getSecureStream: getSecureStream2
      };
    }
    function getCloudflareStreamFuncs() {
      function getStream2(ssl) {
        let { CloudflareSocket } = require_empty();
        return new CloudflareSocket(ssl);
      }
      function getSecureStream2(options) {
        return options.socket.startTls(options), options.socket;
      }
      return {
        getStream: getStream2,
        getSecureStream: getSecureStream2
      };
    }
    function isCloudflareRuntime() {
      if (typeof navigator == "object" && navigator !== null && typeof navigator.userAgent == "string")
        return navigator.userAgent === "Cloudflare-Workers";
      if (typeof Response == "function") {
        let resp = new Response(null, { cf: { thing: !0 } });
        if (typeof resp.cf == "object" && resp.cf !== null && resp.cf.thing)
          return !0;
      }
      return !1;
    }
    function getStreamFuncs() {
      return isCloudflareRuntime() ? getCloudflareStreamFuncs() : getNodejsStreamFuncs();
    }
  }
});

// ../../../node_modules/pg/lib/connection.js
var require_connection = __commonJS({
  "../../../node_modules/pg/lib/connection.js"(exports2, module2) {
    "use strict";
    var EventEmitter = require("events").EventEmitter, { parse, serialize } = require_dist(), stream = require_stream(), { getStream } = stream, flushBuffer = serialize.flush(), syncBuffer = serialize.sync(), endBuffer = serialize.end(), Connection2 = class extends EventEmitter {
      constructor(config) {
        super(), config = config || {}, this.stream = config.stream || getStream(config.ssl), typeof this.stream == "function" && (this.stream = this.stream(config)), this._keepAlive = config.keepAlive, this._keepAliveInitialDelayMillis = config.keepAliveInitialDelayMillis, this.parsedStatements = {}, this.submittedNamedStatements = {}, this.ssl = config.ssl || !1, this.sslNegotiation = config.sslNegotiation || "postgres", this._ending = !1, this._emitMessage = !1;
        let self2 = this;
        this.on("newListener", function(eventName) {
          eventName === "message" && (self2._emitMessage = !0);
        });
      }
      connect(port, host) {
        let self2 = this;
        this._connecting = !0, this.stream.setNoDelay(!0), this.stream.connect(port, host), this.stream.once("connect", function() {
          self2._keepAlive && self2.stream.setKeepAlive(!0, self2._keepAliveInitialDelayMillis), self2.emit("connect");
        });
        let reportStreamError = function(error) {
          self2._ending && (error.code === "ECONNRESET" || error.code === "EPIPE") || self2.emit("error", error);
        };
        if (this.stream.on("error", reportStreamError), this.stream.on("close", function() {
          self2.emit("end");
        }), !this.ssl)
          return this.attachListeners(this.stream);
        if (this.sslNegotiation === "direct")
          return this.stream.once("connect", function() {
            self2.upgradeToSSL(host, reportStreamError);
          });
        this.stream.once("data", function(buffer) {
          switch (buffer.toString("utf8")) {
            case "S":
              break;
            case "N":
              return self2.stream.end(), self2.emit("error", new Error("The server does not support SSL connections"));
            default:
              return self2.stream.end(), self2.emit("error", new Error("There was an error establishing an SSL connection"));
          }
          self2.upgradeToSSL(host, reportStreamError);
        });
      }
      upgradeToSSL(host, reportStreamError) {
        let self2 = this, options = {
          socket: self2.stream,
          // tls.connect checks the server identity against `servername`, falling
          // back to `host` and then to 'localhost'. `servername` must stay unset
          // for IP addresses (see below), so `host` is needed to keep certificate
          // validation working when connecting to an IP address.
          host
        };
        self2.ssl !== !0 && (Object.assign(options, self2.ssl), "key" in self2.ssl && (options.key = self2.ssl.key)), self2.sslNegotiation === "direct" && (options.ALPNProtocols = ["postgresql"]);
        let net = require("net");
        net.isIP && net.isIP(host) === 0 && (options.servername = host);
        try {
          self2.stream = stream.getSecureStream(options);
        } catch (err) {
          return self2.emit("error", err);
        }
        self2.attachListeners(self2.stream), self2.stream.on("error", reportStreamError), self2.emit("sslconnect");
      }
      attachListeners(stream2) {
        parse(stream2, (msg) => {
          let eventName = msg.name === "error" ? "errorMessage" : msg.name;
          this._emitMessage && this.emit("message", msg), this.emit(eventName, msg);
        });
      }
      requestSsl() {
        this.stream.write(serialize.requestSsl());
      }
      startup(config) {
        this.stream.write(serialize.startup(config));
      }
      cancel(processID, secretKey) {
        this._send(serialize.cancel(processID, secretKey));
      }
      password(password) {
        this._send(serialize.password(password));
      }
      sendSASLInitialResponseMessage(mechanism, initialResponse) {
        this._send(serialize.sendSASLInitialResponseMessage(mechanism, initialResponse));
      }
      sendSCRAMClientFinalMessage(additionalData) {
        this._send(serialize.sendSCRAMClientFinalMessage(additionalData));
      }
      _send(buffer) {
        return this.stream.writable ? this.stream.write(buffer) : !1;
      }
      query(text) {
        this._send(serialize.query(text));
      }
      // send parse message
      parse(query) {
        this._send(serialize.parse(query));
      }
      // send bind message
      bind(config) {
        this._send(serialize.bind(config));
      }
      // send execute message
      execute(config) {
        this._send(serialize.execute(config));
      }
      flush() {
        this.stream.writable && this.stream.write(flushBuffer);
      }
      sync() {
        this._send(syncBuffer);
      }
      ref() {
        this.stream.ref();
      }
      unref() {
        this.stream.unref();
      }
      end() {
        if (this._ending = !0, !this._connecting || !this.stream.writable) {
          this.stream.end();
          return;
        }
        return this.stream.write(endBuffer, () => {
          this.stream.end();
        });
      }
      close(msg) {
        this._send(serialize.close(msg));
      }
      describe(msg) {
        this._send(serialize.describe(msg));
      }
      sendCopyFromChunk(chunk) {
        this._send(serialize.copyData(chunk));
      }
      endCopyFrom() {
        this._send(serialize.copyDone());
      }
      sendCopyFail(msg) {
        this._send(serialize.copyFail(msg));
      }
    };
    module2.exports = Connection2;
  }
});

// ../../../node_modules/split2/index.js
var require_split2 = __commonJS({
  "../../../node_modules/split2/index.js"(exports2, module2) {
    "use strict";
    var { Transform } = require("stream"), { StringDecoder } = require("string_decoder"), kLast = /* @__PURE__ */ Symbol("last"), kDecoder = /* @__PURE__ */ Symbol("decoder");
    function transform(chunk, enc, cb) {
      let list;
      if (this.overflow) {
        if (list = this[kDecoder].write(chunk).split(this.matcher), list.length === 1) return cb();
        list.shift(), this.overflow = !1;
      } else
        this[kLast] += this[kDecoder].write(chunk), list = this[kLast].split(this.matcher);
      this[kLast] = list.pop();
      for (let i = 0; i < list.length; i++)
        try {
          push(this, this.mapper(list[i]));
        } catch (error) {
          return cb(error);
        }
      if (this.overflow = this[kLast].length > this.maxLength, this.overflow && !this.skipOverflow) {
        cb(new Error("maximum buffer reached"));
        return;
      }
      cb();
    }
    function flush(cb) {
      if (this[kLast] += this[kDecoder].end(), this[kLast])
        try {
          push(this, this.mapper(this[kLast]));
        } catch (error) {
          return cb(error);
        }
      cb();
    }
    function push(self2, val) {
      val !== void 0 && self2.push(val);
    }
    function noop(incoming) {
      return incoming;
    }
    function split(matcher, mapper, options) {
      switch (matcher = matcher || /\r?\n/, mapper = mapper || noop, options = options || {}, arguments.length) {
        case 1:
          typeof matcher == "function" ? (mapper = matcher, matcher = /\r?\n/) : typeof matcher == "object" && !(matcher instanceof RegExp) && !matcher[Symbol.split] && (options = matcher, matcher = /\r?\n/);
          break;
        case 2:
          typeof matcher == "function" ? (options = mapper, mapper = matcher, matcher = /\r?\n/) : typeof mapper == "object" && (options = mapper, mapper = noop);
      }
      options = Object.assign({}, options), options.autoDestroy = !0, options.transform = transform, options.flush = flush, options.readableObjectMode = !0;
      let stream = new Transform(options);
      return stream[kLast] = "", stream[kDecoder] = new StringDecoder("utf8"), stream.matcher = matcher, stream.mapper = mapper, stream.maxLength = options.maxLength, stream.skipOverflow = options.skipOverflow || !1, stream.overflow = !1, stream._destroy = function(err, cb) {
        this._writableState.errorEmitted = !1, cb(err);
      }, stream;
    }
    module2.exports = split;
  }
});

// ../../../node_modules/pgpass/lib/helper.js
var require_helper = __commonJS({
  "../../../node_modules/pgpass/lib/helper.js"(exports2, module2) {
    "use strict";
    var path = require("path"), Stream = require("stream").Stream, split = require_split2(), util = require("util"), defaultPort = 5432, isWin = process.platform === "win32", warnStream = process.stderr, S_IRWXG = 56, S_IRWXO = 7, S_IFMT = 61440, S_IFREG = 32768;
    function isRegFile(mode) {
      return (mode & S_IFMT) == S_IFREG;
    }
    var fieldNames = ["host", "port", "database", "user", "password"], nrOfFields = fieldNames.length, passKey = fieldNames[nrOfFields - 1];
    function warn() {
      var isWritable = warnStream instanceof Stream && warnStream.writable === !0;
      if (isWritable) {
        var args = Array.prototype.slice.call(arguments).concat(`
`);
        warnStream.write(util.format.apply(util, args));
      }
    }
    Object.defineProperty(module2.exports, "isWin", {
      get: function() {
        return isWin;
      },
      set: function(val) {
        isWin = val;
      }
    });
    module2.exports.warnTo = function(stream) {
      var old = warnStream;
      return warnStream = stream, old;
    };
    module2.exports.getFileName = function(rawEnv) {
      var env = rawEnv || process.env, file = env.PGPASSFILE || (isWin ? path.join(env.APPDATA || "./", "postgresql", "pgpass.conf") : path.join(env.HOME || "./", ".pgpass"));
      return file;
    };
    module2.exports.usePgPass = function(stats, fname) {
      return Object.prototype.hasOwnProperty.call(process.env, "PGPASSWORD") ? !1 : isWin ? !0 : (fname = fname || "<unkn>", isRegFile(stats.mode) ? stats.mode & (S_IRWXG | S_IRWXO) ? (warn('WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less', fname), !1) : !0 : (warn('WARNING: password file "%s" is not a plain file', fname), !1));
    };
    var matcher = module2.exports.match = function(connInfo, entry) {
      return fieldNames.slice(0, -1).reduce(function(prev, field, idx) {
        return idx == 1 && Number(connInfo[field] || defaultPort) === Number(entry[field]) ? prev && !0 : prev && (entry[field] === "*" || entry[field] === connInfo[field]);
      }, !0);
    };
    module2.exports.getPassword = function(connInfo, stream, cb) {
      var pass, lineStream = stream.pipe(split());
      function onLine(line) {
        var entry = parseLine(line);
        entry && isValidEntry(entry) && matcher(connInfo, entry) && (pass = entry[passKey], lineStream.end());
      }
      var onEnd = function() {
        stream.destroy(), cb(pass);
      }, onErr = function(err) {
        stream.destroy(), warn("WARNING: error on reading file: %s", err), cb(void 0);
      };
      stream.on("error", onErr), lineStream.on("data", onLine).on("end", onEnd).on("error", onErr);
    };
    var parseLine = module2.exports.parseLine = function(line) {
      if (line.length < 11 || line.match(/^\s+#/))
        return null;
      for (var curChar = "", prevChar = "", fieldIdx = 0, startIdx = 0, endIdx = 0, obj = {}, isLastField = !1, addToObj = function(idx, i0, i1) {
        var field = line.substring(i0, i1);
        Object.hasOwnProperty.call(process.env, "PGPASS_NO_DEESCAPE") || (field = field.replace(/\\([:\\])/g, "$1")), obj[fieldNames[idx]] = field;
      }, i = 0; i < line.length - 1; i += 1) {
        if (curChar = line.charAt(i + 1), prevChar = line.charAt(i), isLastField = fieldIdx == nrOfFields - 1, isLastField) {
          addToObj(fieldIdx, startIdx);
          break;
        }
        i >= 0 && curChar == ":" && prevChar !== "\\" && (addToObj(fieldIdx, startIdx, i + 1), startIdx = i + 2, fieldIdx += 1);
      }
      return obj = Object.keys(obj).length === nrOfFields ? obj : null, obj;
    }, isValidEntry = module2.exports.isValidEntry = function(entry) {
      for (var rules = {
        // host
        0: function(x) {
          return x.length > 0;
        },
        // port
        1: function(x) {
          return x === "*" ? !0 : (x = Number(x), isFinite(x) && x > 0 && x < 9007199254740992 && Math.floor(x) === x);
        },
        // database
        2: function(x) {
          return x.length > 0;
        },
        // username
        3: function(x) {
          return x.length > 0;
        },
        // password
        4: function(x) {
          return x.length > 0;
        }
      }, idx = 0; idx < fieldNames.length; idx += 1) {
        var rule = rules[idx], value = entry[fieldNames[idx]] || "", res = rule(value);
        if (!res)
          return !1;
      }
      return !0;
    };
  }
});

// ../../../node_modules/pgpass/lib/index.js
var require_lib2 = __commonJS({
  "../../../node_modules/pgpass/lib/index.js"(exports2, module2) {
    "use strict";
    var path = require("path"), fs = require("fs"), helper = require_helper();
    module2.exports = function(connInfo, cb) {
      var file = helper.getFileName();
      fs.stat(file, function(err, stat) {
        if (err || !helper.usePgPass(stat, file))
          return cb(void 0);
        var st = fs.createReadStream(file);
        helper.getPassword(connInfo, st, cb);
      });
    };
    module2.exports.warnTo = helper.warnTo;
  }
});

// ../../../node_modules/pg/lib/client.js
var require_client = __commonJS({
  "../../../node_modules/pg/lib/client.js"(exports2, module2) {
    var EventEmitter = require("events").EventEmitter, utils = require_utils3(), nodeUtils = require("util"), sasl = require_sasl(), TypeOverrides2 = require_type_overrides(), ConnectionParameters = require_connection_parameters(), Query2 = require_query(), defaults2 = require_defaults2(), Connection2 = require_connection(), crypto = require_utils4(), activeQueryDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Client.activeQuery is deprecated and will be removed in pg@9.0"
    ), queryQueueDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Client.queryQueue is deprecated and will be removed in pg@9.0."
    ), pgPassDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "pgpass support is deprecated and will be removed in pg@9.0. You can provide an async function as the password property to the Client/Pool constructor that returns a password instead. Within this function you can call the pgpass module in your own code."
    ), byoPromiseDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Passing a custom Promise implementation to the Client/Pool constructor is deprecated and will be removed in pg@9.0."
    ), queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead."
    );
    function coerceNumberOrDefault(value, defaultValue) {
      if (typeof value == "number")
        return Number.isFinite(value) ? value : defaultValue;
      if (typeof value == "string" && value.trim() !== "") {
        let n = Number(value);
        return Number.isFinite(n) ? n : defaultValue;
      }
      return defaultValue;
    }
    var Client2 = class extends EventEmitter {
      constructor(config) {
        super(), this.connectionParameters = new ConnectionParameters(config), this.user = this.connectionParameters.user, this.database = this.connectionParameters.database, this.port = this.connectionParameters.port, this.host = this.connectionParameters.host, Object.defineProperty(this, "password", {
          configurable: !0,
          enumerable: !1,
          writable: !0,
          value: this.connectionParameters.password
        }), this.replication = this.connectionParameters.replication;
        let c = config || {};
        c.Promise && byoPromiseDeprecationNotice(), this._Promise = c.Promise || global.Promise, this._types = new TypeOverrides2(c.types), this._ending = !1, this._ended = !1, this._connecting = !1, this._connected = !1, this._connectionError = !1, this._queryable = !0, this._activeQuery = null, this._txStatus = null, this.enableChannelBinding = !!c.enableChannelBinding, this.scramMaxIterations = coerceNumberOrDefault(c.scramMaxIterations, sasl.DEFAULT_MAX_SCRAM_ITERATIONS), this.connection = c.connection || new Connection2({
          stream: c.stream,
          ssl: this.connectionParameters.ssl,
          sslNegotiation: this.connectionParameters.sslnegotiation,
          keepAlive: c.keepAlive || !1,
          keepAliveInitialDelayMillis: c.keepAliveInitialDelayMillis || 0,
          encoding: this.connectionParameters.client_encoding || "utf8"
        }), this._queryQueue = [], this._sentQueryQueue = [], this.pipeline = !!c.pipeline, this.binary = c.binary || defaults2.binary, this.processID = null, this.secretKey = null, this.ssl = this.connectionParameters.ssl || !1, this.sslNegotiation = this.connectionParameters.sslnegotiation || "postgres", this.ssl && this.ssl.key && Object.defineProperty(this.ssl, "key", {
          enumerable: !1
        }), this._connectionTimeoutMillis = c.connectionTimeoutMillis || 0;
      }
      get activeQuery() {
        return activeQueryDeprecationNotice(), this._activeQuery;
      }
      set activeQuery(val) {
        activeQueryDeprecationNotice(), this._activeQuery = val;
      }
      _getActiveQuery() {
        return this._activeQuery;
      }
      _errorAllQueries(err) {
        let enqueueError = (query) => {
          process.nextTick(() => {
            query.handleError(err, this.connection);
          });
        }, activeQuery = this._getActiveQuery();
        activeQuery && (enqueueError(activeQuery), this._activeQuery = null), this._sentQueryQueue.forEach(enqueueError), this._sentQueryQueue.length = 0, this._queryQueue.forEach(enqueueError), this._queryQueue.length = 0;
      }
      _connect(callback) {
        let self2 = this, con = this.connection;
        if (this._connectionCallback = callback, this._connecting || this._connected) {
          let err = new Error("Client has already been connected. You cannot reuse a client.");
          process.nextTick(() => {
            callback(err);
          });
          return;
        }
        this._connecting = !0, this._connectionTimeoutMillis > 0 && (this.connectionTimeoutHandle = setTimeout(() => {
          con._ending = !0, con.stream.destroy(new Error("timeout expired"));
        }, this._connectionTimeoutMillis), this.connectionTimeoutHandle.unref && this.connectionTimeoutHandle.unref()), this.host && this.host.indexOf("/") === 0 ? con.connect(this.host + "/.s.PGSQL." + this.port) : con.connect(this.port, this.host), con.on("connect", function() {
          self2.ssl ? self2.sslNegotiation !== "direct" && con.requestSsl() : con.startup(self2.getStartupConf());
        }), con.on("sslconnect", function() {
          con.startup(self2.getStartupConf());
        }), this._attachListeners(con), con.once("end", () => {
          let error = this._ending ? new Error("Connection terminated") : new Error("Connection terminated unexpectedly");
          clearTimeout(this.connectionTimeoutHandle), this._errorAllQueries(error), this._ended = !0, this._ending || (this._connecting && !this._connectionError ? this._connectionCallback ? this._connectionCallback(error) : this._handleErrorEvent(error) : this._connectionError || this._handleErrorEvent(error)), process.nextTick(() => {
            this.emit("end");
          });
        });
      }
      connect(callback) {
        if (callback) {
          this._connect(callback);
          return;
        }
        return new this._Promise((resolve, reject) => {
          this._connect((error) => {
            error ? reject(error) : resolve(this);
          });
        });
      }
      _attachListeners(con) {
        con.on("authenticationCleartextPassword", this._handleAuthCleartextPassword.bind(this)), con.on("authenticationMD5Password", this._handleAuthMD5Password.bind(this)), con.on("authenticationSASL", this._handleAuthSASL.bind(this)), con.on("authenticationSASLContinue", this._handleAuthSASLContinue.bind(this)), con.on("authenticationSASLFinal", this._handleAuthSASLFinal.bind(this)), con.on("backendKeyData", this._handleBackendKeyData.bind(this)), con.on("error", this._handleErrorEvent.bind(this)), con.on("errorMessage", this._handleErrorMessage.bind(this)), con.on("readyForQuery", this._handleReadyForQuery.bind(this)), con.on("notice", this._handleNotice.bind(this)), con.on("rowDescription", this._handleRowDescription.bind(this)), con.on("dataRow", this._handleDataRow.bind(this)), con.on("portalSuspended", this._handlePortalSuspended.bind(this)), con.on("emptyQuery", this._handleEmptyQuery.bind(this)), con.on("commandComplete", this._handleCommandComplete.bind(this)), con.on("parseComplete", this._handleParseComplete.bind(this)), con.on("copyInResponse", this._handleCopyInResponse.bind(this)), con.on("copyData", this._handleCopyData.bind(this)), con.on("notification", this._handleNotification.bind(this));
      }
      _getPassword(cb) {
        let con = this.connection;
        if (typeof this.password == "function")
          this._Promise.resolve().then(() => this.password(this.connectionParameters)).then((pass) => {
            if (pass !== void 0) {
              if (typeof pass != "string") {
                con.emit("error", new TypeError("Password must be a string"));
                return;
              }
              this.connectionParameters.password = this.password = pass;
            } else
              this.connectionParameters.password = this.password = null;
            cb();
          }).catch((err) => {
            con.emit("error", err);
          });
        else if (this.password !== null)
          cb();
        else
          try {
            require_lib2()(this.connectionParameters, (pass) => {
              pass !== void 0 && (pgPassDeprecationNotice(), this.connectionParameters.password = this.password = pass), cb();
            });
          } catch (e) {
            this.emit("error", e);
          }
      }
      _handleAuthCleartextPassword(msg) {
        this._getPassword(() => {
          this.connection.password(this.password);
        });
      }
      _handleAuthMD5Password(msg) {
        this._getPassword(async () => {
          try {
            let hashedPassword = await crypto.postgresMd5PasswordHash(this.user, this.password, msg.salt);
            this.connection.password(hashedPassword);
          } catch (e) {
            this.emit("error", e);
          }
        });
      }
      _handleAuthSASL(msg) {
        this._getPassword(() => {
          try {
            this.saslSession = sasl.startSession(
              msg.mechanisms,
              this.enableChannelBinding && this.connection.stream,
              this.scramMaxIterations
            ), this.connection.sendSASLInitialResponseMessage(this.saslSession.mechanism, this.saslSession.response);
          } catch (err) {
            this.connection.emit("error", err);
          }
        });
      }
      async _handleAuthSASLContinue(msg) {
        try {
          await sasl.continueSession(
            this.saslSession,
            this.password,
            msg.data,
            this.enableChannelBinding && this.connection.stream
          ), this.connection.sendSCRAMClientFinalMessage(this.saslSession.response);
        } catch (err) {
          this.connection.emit("error", err);
        }
      }
      _handleAuthSASLFinal(msg) {
        try {
          sasl.finalizeSession(this.saslSession, msg.data), this.saslSession = null;
        } catch (err) {
          this.connection.emit("error", err);
        }
      }
      _handleBackendKeyData(msg) {
        this.processID = msg.processID, this.secretKey = msg.secretKey;
      }
      _handleReadyForQuery(msg) {
        this._connecting && (this._connecting = !1, this._connected = !0, clearTimeout(this.connectionTimeoutHandle), this._connectionCallback && (this._connectionCallback(null, this), this._connectionCallback = null), this.emit("connect"));
        let activeQuery = this._getActiveQuery();
        this._activeQuery = null, this._txStatus = msg?.status ?? null, this.readyForQuery = !0, activeQuery && activeQuery.handleReadyForQuery(this.connection), this._pulseQueryQueue();
      }
      // if we receive an error event or error message
      // during the connection process we handle it here
      _handleErrorWhileConnecting(err) {
        if (!this._connectionError) {
          if (this._connectionError = !0, clearTimeout(this.connectionTimeoutHandle), this._connectionCallback)
            return this._connectionCallback(err);
          this.emit("error", err);
        }
      }
      // if we're connected and we receive an error event from the connection
      // this means the socket is dead - do a hard abort of all queries and emit
      // the socket error on the client as well
      _handleErrorEvent(err) {
        if (this._connecting)
          return this._handleErrorWhileConnecting(err);
        this._queryable = !1, this._errorAllQueries(err), this.emit("error", err);
      }
      // handle error messages from the postgres backend
      _handleErrorMessage(msg) {
        if (this._connecting)
          return this._handleErrorWhileConnecting(msg);
        let activeQuery = this._getActiveQuery();
        if (!activeQuery) {
          this._handleErrorEvent(msg);
          return;
        }
        this._activeQuery = null, activeQuery.name && delete this.connection.submittedNamedStatements[activeQuery.name], activeQuery.handleError(msg, this.connection);
      }
      _handleRowDescription(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected rowDescription message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleRowDescription(msg);
      }
      _handleDataRow(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected dataRow message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleDataRow(msg);
      }
      _handlePortalSuspended(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected portalSuspended message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handlePortalSuspended(this.connection);
      }
      _handleEmptyQuery(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected emptyQuery message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleEmptyQuery(this.connection);
      }
      _handleCommandComplete(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected commandComplete message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCommandComplete(msg, this.connection);
      }
      _handleParseComplete() {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected parseComplete message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.name && (this.connection.parsedStatements[activeQuery.name] = activeQuery.text, delete this.connection.submittedNamedStatements[activeQuery.name]);
      }
      _handleCopyInResponse(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected copyInResponse message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCopyInResponse(this.connection);
      }
      _handleCopyData(msg) {
        let activeQuery = this._getActiveQuery();
        if (activeQuery == null) {
          let error = new Error("Received unexpected copyData message from backend.");
          this._handleErrorEvent(error);
          return;
        }
        activeQuery.handleCopyData(msg, this.connection);
      }
      _handleNotification(msg) {
        this.emit("notification", msg);
      }
      _handleNotice(msg) {
        this.emit("notice", msg);
      }
      getStartupConf() {
        let params = this.connectionParameters, data = {
          user: params.user,
          database: params.database
        }, appName = params.application_name || params.fallback_application_name;
        return appName && (data.application_name = appName), params.replication && (data.replication = "" + params.replication), params.statement_timeout && (data.statement_timeout = String(parseInt(params.statement_timeout, 10))), params.lock_timeout && (data.lock_timeout = String(parseInt(params.lock_timeout, 10))), params.idle_in_transaction_session_timeout && (data.idle_in_transaction_session_timeout = String(parseInt(params.idle_in_transaction_session_timeout, 10))), params.options && (data.options = params.options), data;
      }
      cancel(client, query) {
        if (client.activeQuery === query) {
          let con = this.connection;
          this.host && this.host.indexOf("/") === 0 ? con.connect(this.host + "/.s.PGSQL." + this.port) : con.connect(this.port, this.host), con.on("connect", function() {
            con.cancel(client.processID, client.secretKey);
          });
        } else client._queryQueue.indexOf(query) !== -1 ? client._queryQueue.splice(client._queryQueue.indexOf(query), 1) : client._sentQueryQueue.indexOf(query) !== -1 && (query.callback = () => {
        });
      }
      setTypeParser(oid, format, parseFn) {
        return this._types.setTypeParser(oid, format, parseFn);
      }
      getTypeParser(oid, format) {
        return this._types.getTypeParser(oid, format);
      }
      // escapeIdentifier and escapeLiteral moved to utility functions & exported
      // on PG
      // re-exported here for backwards compatibility
      escapeIdentifier(str) {
        return utils.escapeIdentifier(str);
      }
      escapeLiteral(str) {
        return utils.escapeLiteral(str);
      }
      _pulseQueryQueue() {
        if (this.pipeline) {
          this._pulsePipelinedQueryQueue();
          return;
        }
        if (this.readyForQuery === !0) {
          this._activeQuery = this._queryQueue.shift();
          let activeQuery = this._getActiveQuery();
          if (activeQuery) {
            this.readyForQuery = !1, this.hasExecuted = !0;
            let queryError = activeQuery.submit(this.connection);
            queryError && process.nextTick(() => {
              activeQuery.handleError(queryError, this.connection), this.readyForQuery = !0, this._pulseQueryQueue();
            });
          } else this.hasExecuted && (this._activeQuery = null, this.emit("drain"));
        }
      }
      _pulsePipelinedQueryQueue() {
        if (!(!this._connected || !this._queryable)) {
          for (; this._queryQueue.length > 0; ) {
            let query = this._queryQueue.shift();
            this.hasExecuted = !0;
            let queryError = query.submit(this.connection);
            if (queryError) {
              process.nextTick(() => {
                query.handleError(queryError, this.connection);
              });
              continue;
            }
            this._sentQueryQueue.push(query);
          }
          this.readyForQuery && !this._activeQuery && this._sentQueryQueue.length > 0 && (this._activeQuery = this._sentQueryQueue.shift(), this.readyForQuery = !1), !this._activeQuery && this._sentQueryQueue.length === 0 && this._queryQueue.length === 0 && this.hasExecuted && this.emit("drain");
        }
      }
      query(config, values, callback) {
        let query, result;
        if (config == null)
          throw new TypeError("Client was passed a null or undefined query");
        if (typeof config.submit == "function")
          result = query = config, query.callback || (typeof values == "function" ? query.callback = values : callback && (query.callback = callback));
        else if (query = new Query2(config, values, callback), !query.callback)
          result = new this._Promise((resolve, reject) => {
            query.callback = (err, res) => err ? reject(err) : resolve(res);
          }).catch((err) => {
            throw Error.captureStackTrace(err), err;
          });
        else if (typeof query.callback != "function")
          throw new TypeError("callback is not a function");
        let readTimeout = config.query_timeout || this.connectionParameters.query_timeout;
        if (readTimeout) {
          let queryCallback = query.callback || (() => {
          }), readTimeoutTimer = setTimeout(() => {
            let error = new Error("Query read timeout");
            process.nextTick(() => {
              query.handleError(error, this.connection);
            }), queryCallback(error), query.callback = () => {
            };
            let index = this._queryQueue.indexOf(query);
            if (index > -1)
              this._queryQueue.splice(index, 1);
            else if (this.pipeline) {
              this.connection.stream.destroy();
              return;
            }
            this._pulseQueryQueue();
          }, readTimeout);
          query.callback = (err, res) => {
            clearTimeout(readTimeoutTimer), queryCallback(err, res);
          };
        }
        if (this.binary && !query.binary && (query.binary = !0), query._result && !query._result._types && (query._result._types = this._types), this.pipeline) {
          let portalQuery = typeof config.submit == "function" && !(query instanceof Query2) ? "Custom query classes such as pg-cursor and pg-query-stream are" : query.rows ? "The `rows` option is" : null;
          if (portalQuery)
            return process.nextTick(() => {
              query.handleError(new Error(`${portalQuery} not supported in pipeline mode`), this.connection);
            }), result;
        }
        return this._queryable ? this._ending ? (process.nextTick(() => {
          query.handleError(new Error("Client was closed and is not queryable"), this.connection);
        }), result) : (this._queryQueue.length > 0 && !this.pipeline && queryQueueLengthDeprecationNotice(), this._queryQueue.push(query), this._pulseQueryQueue(), result) : (process.nextTick(() => {
          query.handleError(new Error("Client has encountered a connection error and is not queryable"), this.connection);
        }), result);
      }
      ref() {
        this.connection.ref();
      }
      unref() {
        this.connection.unref();
      }
      getTransactionStatus() {
        return this._txStatus;
      }
      end(cb) {
        if (this._ending = !0, !this.connection._connecting || this._ended)
          if (cb) {
            cb();
            return;
          } else
            return this._Promise.resolve();
        if (this._queryable ? this.pipeline && (this._getActiveQuery() || this._sentQueryQueue.length > 0 || this._queryQueue.length > 0) ? this.once("drain", () => this.connection.end()) : this._getActiveQuery() ? this.connection.stream.destroy() : this.connection.end() : this.connection.stream.destroy(), cb)
          this.connection.once("end", cb);
        else
          return new this._Promise((resolve) => {
            this.connection.once("end", resolve);
          });
      }
      get queryQueue() {
        return queryQueueDeprecationNotice(), this._queryQueue;
      }
    };
    Client2.Query = Query2;
    module2.exports = Client2;
  }
});

// ../../../node_modules/pg-pool/index.js
var require_pg_pool = __commonJS({
  "../../../node_modules/pg-pool/index.js"(exports2, module2) {
    "use strict";
    var EventEmitter = require("events").EventEmitter, NOOP = function() {
    }, removeWhere = (list, predicate) => {
      let i = list.findIndex(predicate);
      return i === -1 ? void 0 : list.splice(i, 1)[0];
    }, IdleItem = class {
      constructor(client, idleListener, timeoutId) {
        this.client = client, this.idleListener = idleListener, this.timeoutId = timeoutId;
      }
    }, PendingItem = class {
      constructor(callback) {
        this.callback = callback;
      }
    };
    function throwOnDoubleRelease() {
      throw new Error("Release called on client which has already been released to the pool.");
    }
    function promisify(Promise2, callback) {
      if (callback)
        return { callback, result: void 0 };
      let rej, res, cb = function(err, client) {
        err ? rej(err) : res(client);
      }, result = new Promise2(function(resolve, reject) {
        res = resolve, rej = reject;
      }).catch((err) => {
        throw Error.captureStackTrace(err), err;
      });
      return { callback: cb, result };
    }
    function makeIdleListener(pool, client) {
      return function idleListener(err) {
        err.client = client, client.removeListener("error", idleListener), client.on("error", () => {
          pool.log("additional client error after disconnection due to error", err);
        }), pool._remove(client), pool.emit("error", err, client);
      };
    }
    var Pool2 = class extends EventEmitter {
      constructor(options, Client2) {
        super(), this.options = Object.assign({}, options), options != null && "password" in options && Object.defineProperty(this.options, "password", {
          configurable: !0,
          enumerable: !1,
          writable: !0,
          value: options.password
        }), options != null && options.ssl && options.ssl.key && Object.defineProperty(this.options.ssl, "key", {
          enumerable: !1
        }), this.options.max = this.options.max || this.options.poolSize || 10, this.options.min = this.options.min || 0, this.options.maxUses = this.options.maxUses || 1 / 0, this.options.allowExitOnIdle = this.options.allowExitOnIdle || !1, this.options.maxLifetimeSeconds = this.options.maxLifetimeSeconds || 0, this.log = this.options.log || function() {
        }, this.Client = this.options.Client || Client2 || require_lib3().Client, this.Promise = this.options.Promise || global.Promise, typeof this.options.idleTimeoutMillis > "u" && (this.options.idleTimeoutMillis = 1e4), this._clients = [], this._idle = [], this._expired = /* @__PURE__ */ new WeakSet(), this._pendingQueue = [], this._endCallback = void 0, this.ending = !1, this.ended = !1;
      }
      _promiseTry(f) {
        let Promise2 = this.Promise;
        return typeof Promise2.try == "function" ? Promise2.try(f) : new Promise2((resolve) => resolve(f()));
      }
      _isFull() {
        return this._clients.length >= this.options.max;
      }
      _isAboveMin() {
        return this._clients.length > this.options.min;
      }
      _pulseQueue() {
        if (this.log("pulse queue"), this.ended) {
          this.log("pulse queue ended");
          return;
        }
        if (this.ending) {
          this.log("pulse queue on ending"), this._idle.length && this._idle.slice().map((item) => {
            this._remove(item.client);
          }), this._clients.length || (this.ended = !0, this._endCallback());
          return;
        }
        if (!this._pendingQueue.length) {
          this.log("no queued requests");
          return;
        }
        if (!this._idle.length && this._isFull())
          return;
        let pendingItem = this._pendingQueue.shift();
        if (this._idle.length) {
          let idleItem = this._idle.pop();
          clearTimeout(idleItem.timeoutId);
          let client = idleItem.client;
          client.ref && client.ref();
          let idleListener = idleItem.idleListener;
          return this._acquireClient(client, pendingItem, idleListener, !1);
        }
        if (!this._isFull())
          return this.newClient(pendingItem);
        throw new Error("unexpected condition");
      }
      _remove(client, callback) {
        let removed = removeWhere(this._idle, (item) => item.client === client);
        removed !== void 0 && clearTimeout(removed.timeoutId), this._clients = this._clients.filter((c) => c !== client);
        let context = this;
        client.end(() => {
          context.emit("remove", client), typeof callback == "function" && callback();
        });
      }
      connect(cb) {
        if (this.ending) {
          let err = new Error("Cannot use a pool after calling end on the pool");
          return cb ? cb(err) : this.Promise.reject(err);
        }
        let response = promisify(this.Promise, cb), result = response.result;
        if (this._isFull() || this._idle.length) {
          if (this._idle.length && process.nextTick(() => this._pulseQueue()), !this.options.connectionTimeoutMillis)
            return this._pendingQueue.push(new PendingItem(response.callback)), result;
          let queueCallback = (err, res, done) => {
            clearTimeout(tid), response.callback(err, res, done);
          }, pendingItem = new PendingItem(queueCallback), tid = setTimeout(() => {
            removeWhere(this._pendingQueue, (i) => i.callback === queueCallback), pendingItem.timedOut = !0, response.callback(new Error("timeout exceeded when trying to connect"));
          }, this.options.connectionTimeoutMillis);
          return tid.unref && tid.unref(), this._pendingQueue.push(pendingItem), result;
        }
        return this.newClient(new PendingItem(response.callback)), result;
      }
      newClient(pendingItem) {
        let client = new this.Client(this.options);
        this._clients.push(client);
        let idleListener = makeIdleListener(this, client);
        this.log("checking client timeout");
        let tid, timeoutHit = !1;
        this.options.connectionTimeoutMillis && (tid = setTimeout(() => {
          client.connection ? (this.log("ending client due to timeout"), timeoutHit = !0, client.connection.stream.destroy()) : client.isConnected() || (this.log("ending client due to timeout"), timeoutHit = !0, client.end());
        }, this.options.connectionTimeoutMillis)), this.log("connecting new client"), client.connect((err) => {
          if (tid && clearTimeout(tid), client.on("error", idleListener), err)
            this.log("client failed to connect", err), this._clients = this._clients.filter((c) => c !== client), timeoutHit && (err = new Error("Connection terminated due to connection timeout", { cause: err })), this._pulseQueue(), pendingItem.timedOut || pendingItem.callback(err, void 0, NOOP);
          else {
            if (this.log("new client connected"), this.options.onConnect) {
              this._promiseTry(() => this.options.onConnect(client)).then(
                () => {
                  this._afterConnect(client, pendingItem, idleListener);
                },
                (hookErr) => {
                  this._clients = this._clients.filter((c) => c !== client), client.end(() => {
                    this._pulseQueue(), pendingItem.timedOut || pendingItem.callback(hookErr, void 0, NOOP);
                  });
                }
              );
              return;
            }
            return this._afterConnect(client, pendingItem, idleListener);
          }
        });
      }
      _afterConnect(client, pendingItem, idleListener) {
        if (this.options.maxLifetimeSeconds !== 0) {
          let maxLifetimeTimeout = setTimeout(() => {
            this.log("ending client due to expired lifetime"), this._expired.add(client), this._idle.findIndex((idleItem) => idleItem.client === client) !== -1 && this._acquireClient(
              client,
              new PendingItem((err, client2, clientRelease) => clientRelease()),
              idleListener,
              !1
            );
          }, this.options.maxLifetimeSeconds * 1e3);
          maxLifetimeTimeout.unref(), client.once("end", () => clearTimeout(maxLifetimeTimeout));
        }
        return this._acquireClient(client, pendingItem, idleListener, !0);
      }
      // acquire a client for a pending work item
      _acquireClient(client, pendingItem, idleListener, isNew) {
        isNew && this.emit("connect", client), this.emit("acquire", client), client.release = this._releaseOnce(client, idleListener), client.removeListener("error", idleListener), pendingItem.timedOut ? isNew && this.options.verify ? this.options.verify(client, client.release) : client.release() : isNew && this.options.verify ? this.options.verify(client, (err) => {
          if (err)
            return client.release(err), pendingItem.callback(err, void 0, NOOP);
          pendingItem.callback(void 0, client, client.release);
        }) : pendingItem.callback(void 0, client, client.release);
      }
      // returns a function that wraps _release and throws if called more than once
      _releaseOnce(client, idleListener) {
        let released = !1;
        return (err) => {
          released && throwOnDoubleRelease(), released = !0, this._release(client, idleListener, err);
        };
      }
      // release a client back to the poll, include an error
      // to remove it from the pool
      _release(client, idleListener, err) {
        if (client.on("error", idleListener), client._poolUseCount = (client._poolUseCount || 0) + 1, this.emit("release", err, client), err || this.ending || !client._queryable || client._ending || client._poolUseCount >= this.options.maxUses)
          return client._poolUseCount >= this.options.maxUses && this.log("remove expended client"), this._remove(client, this._pulseQueue.bind(this));
        if (this._expired.has(client))
          return this.log("remove expired client"), this._expired.delete(client), this._remove(client, this._pulseQueue.bind(this));
        let tid;
        this.options.idleTimeoutMillis && this._isAboveMin() && (tid = setTimeout(() => {
          this._isAboveMin() && (this.log("remove idle client"), this._remove(client, this._pulseQueue.bind(this)));
        }, this.options.idleTimeoutMillis), this.options.allowExitOnIdle && tid.unref()), this.options.allowExitOnIdle && client.unref(), this._idle.push(new IdleItem(client, idleListener, tid)), this._pulseQueue();
      }
      query(text, values, cb) {
        if (typeof text == "function") {
          let response2 = promisify(this.Promise, text);
          return setImmediate(function() {
            return response2.callback(new Error("Passing a function as the first parameter to pool.query is not supported"));
          }), response2.result;
        }
        typeof values == "function" && (cb = values, values = void 0);
        let response = promisify(this.Promise, cb);
        return cb = response.callback, this.connect((err, client) => {
          if (err)
            return cb(err);
          let clientReleased = !1, onError = (err2) => {
            clientReleased || (clientReleased = !0, client.release(err2), cb(err2));
          };
          client.once("error", onError), this.log("dispatching query");
          try {
            client.query(text, values, (err2, res) => {
              if (this.log("query dispatched"), client.removeListener("error", onError), !clientReleased)
                return clientReleased = !0, client.release(err2), err2 ? cb(err2) : cb(void 0, res);
            });
          } catch (err2) {
            return client.release(err2), cb(err2);
          }
        }), response.result;
      }
      end(cb) {
        if (this.log("ending"), this.ending) {
          let err = new Error("Called end on pool more than once");
          return cb ? cb(err) : this.Promise.reject(err);
        }
        this.ending = !0;
        let promised = promisify(this.Promise, cb);
        return this._endCallback = promised.callback, this._pulseQueue(), promised.result;
      }
      get waitingCount() {
        return this._pendingQueue.length;
      }
      get idleCount() {
        return this._idle.length;
      }
      get expiredCount() {
        return this._clients.reduce((acc, client) => acc + (this._expired.has(client) ? 1 : 0), 0);
      }
      get totalCount() {
        return this._clients.length;
      }
    };
    module2.exports = Pool2;
  }
});

// ../../../node_modules/pg/lib/native/query.js
var require_query2 = __commonJS({
  "../../../node_modules/pg/lib/native/query.js"(exports2, module2) {
    "use strict";
    var EventEmitter = require("events").EventEmitter, util = require("util"), utils = require_utils3(), NativeQuery = module2.exports = function(config, values, callback) {
      EventEmitter.call(this), config = utils.normalizeQueryConfig(config, values, callback), this.text = config.text, this.values = config.values, this.name = config.name, this.queryMode = config.queryMode, this.callback = config.callback, this.state = "new", this._arrayMode = config.rowMode === "array", this._emitRowEvents = !1, this.on(
        "newListener",
        function(event) {
          event === "row" && (this._emitRowEvents = !0);
        }.bind(this)
      );
    };
    util.inherits(NativeQuery, EventEmitter);
    var errorFieldMap = {
      sqlState: "code",
      statementPosition: "position",
      messagePrimary: "message",
      messageDetail: "detail",
      messageHint: "hint",
      context: "where",
      schemaName: "schema",
      tableName: "table",
      columnName: "column",
      dataTypeName: "dataType",
      constraintName: "constraint",
      sourceFile: "file",
      sourceLine: "line",
      sourceFunction: "routine"
    };
    NativeQuery.prototype.handleError = function(err) {
      let fields = this.native && this.native.pq.resultErrorFields();
      if (fields)
        for (let key in fields) {
          let normalizedFieldName = errorFieldMap[key] || key;
          err[normalizedFieldName] = fields[key];
        }
      this.callback ? this.callback(err) : this.emit("error", err), this.state = "error";
    };
    NativeQuery.prototype.then = function(onSuccess, onFailure) {
      return this._getPromise().then(onSuccess, onFailure);
    };
    NativeQuery.prototype.catch = function(callback) {
      return this._getPromise().catch(callback);
    };
    NativeQuery.prototype._getPromise = function() {
      return this._promise ? this._promise : (this._promise = new Promise(
        function(resolve, reject) {
          this._once("end", resolve), this._once("error", reject);
        }.bind(this)
      ), this._promise);
    };
    NativeQuery.prototype.submit = function(client) {
      this.state = "running";
      let self2 = this;
      this.native = client.native, client.native.arrayMode = this._arrayMode;
      let after = function(err, rows, results) {
        if (client.native.arrayMode = !1, setImmediate(function() {
          self2.emit("_done");
        }), err)
          return self2.handleError(err);
        self2._emitRowEvents && (results.length > 1 ? rows.forEach((rowOfRows, i) => {
          rowOfRows.forEach((row) => {
            self2.emit("row", row, results[i]);
          });
        }) : rows.forEach(function(row) {
          self2.emit("row", row, results);
        })), self2.state = "end", self2.emit("end", results), self2.callback && self2.callback(null, results);
      };
      if (process.domain && (after = process.domain.bind(after)), this.name) {
        this.name.length > 63 && (console.error("Warning! Postgres only supports 63 characters for query names."), console.error("You supplied %s (%s)", this.name, this.name.length), console.error("This can cause conflicts and silent errors executing queries"));
        let values = (this.values || []).map(utils.prepareValue);
        if (client.namedQueries[this.name] !== void 0) {
          if (this.text && client.namedQueries[this.name] !== this.text) {
            let err = new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
            return after(err);
          }
          return client.native.execute(this.name, values, after);
        }
        return client.native.prepare(this.name, this.text, values.length, function(err) {
          return err ? after(err) : (client.namedQueries[self2.name] = self2.text, self2.native.execute(self2.name, values, after));
        });
      } else if (this.values) {
        if (!Array.isArray(this.values)) {
          let err = new Error("Query values must be an array");
          return after(err);
        }
        let vals = this.values.map(utils.prepareValue);
        client.native.query(this.text, vals, after);
      } else this.queryMode === "extended" ? client.native.query(this.text, [], after) : client.native.query(this.text, after);
    };
  }
});

// ../../../node_modules/pg/lib/native/client.js
var require_client2 = __commonJS({
  "../../../node_modules/pg/lib/native/client.js"(exports2, module2) {
    var nodeUtils = require("util"), Native;
    try {
      Native = require("pg-native");
    } catch (e) {
      throw e;
    }
    var TypeOverrides2 = require_type_overrides(), EventEmitter = require("events").EventEmitter, util = require("util"), ConnectionParameters = require_connection_parameters(), NativeQuery = require_query2(), queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
      () => {
      },
      "Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead."
    ), Client2 = module2.exports = function(config) {
      EventEmitter.call(this), config = config || {}, this._Promise = config.Promise || global.Promise, this._types = new TypeOverrides2(config.types), this.native = new Native({
        types: this._types
      }), this._queryQueue = [], this._ending = !1, this._connecting = !1, this._connected = !1, this._queryable = !0, this.pipeline = !!config.pipeline, this._pipelineInFlight = !1;
      let cp = this.connectionParameters = new ConnectionParameters(config);
      config.nativeConnectionString && (cp.nativeConnectionString = config.nativeConnectionString), this.user = cp.user, Object.defineProperty(this, "password", {
        configurable: !0,
        enumerable: !1,
        writable: !0,
        value: cp.password
      }), this.database = cp.database, this.host = cp.host, this.port = cp.port, this.namedQueries = {};
    };
    Client2.Query = NativeQuery;
    util.inherits(Client2, EventEmitter);
    Client2.prototype._errorAllQueries = function(err) {
      let enqueueError = (query) => {
        process.nextTick(() => {
          query.native = this.native, query.handleError(err);
        });
      };
      this._hasActiveQuery() && (enqueueError(this._activeQuery), this._activeQuery = null), this._queryQueue.forEach(enqueueError), this._queryQueue.length = 0;
    };
    Client2.prototype._connect = function(cb) {
      let self2 = this;
      if (this._connecting) {
        process.nextTick(() => cb(new Error("Client has already been connected. You cannot reuse a client.")));
        return;
      }
      this._connecting = !0, this.connectionParameters.getLibpqConnectionString(function(err, conString) {
        if (self2.connectionParameters.nativeConnectionString && (conString = self2.connectionParameters.nativeConnectionString), err) return cb(err);
        self2.native.connect(conString, function(err2) {
          if (err2)
            return self2.native.end(), cb(err2);
          self2._connected = !0, self2.native.on("error", function(err3) {
            self2._queryable = !1, self2._errorAllQueries(err3), self2.emit("error", err3);
          }), self2.native.on("notification", function(msg) {
            self2.emit("notification", {
              channel: msg.relname,
              payload: msg.extra
            });
          }), self2.emit("connect"), self2._pulseQueryQueue(!0), cb(null, this);
        });
      });
    };
    Client2.prototype.connect = function(callback) {
      if (callback) {
        this._connect(callback);
        return;
      }
      return new this._Promise((resolve, reject) => {
        this._connect((error) => {
          error ? reject(error) : resolve(this);
        });
      });
    };
    Client2.prototype.query = function(config, values, callback) {
      let query, result, readTimeout, readTimeoutTimer, queryCallback;
      if (config == null)
        throw new TypeError("Client was passed a null or undefined query");
      if (typeof config.submit == "function")
        readTimeout = config.query_timeout || this.connectionParameters.query_timeout, result = query = config, typeof values == "function" && (config.callback = values);
      else if (readTimeout = config.query_timeout || this.connectionParameters.query_timeout, query = new NativeQuery(config, values, callback), !query.callback) {
        let resolveOut, rejectOut;
        result = new this._Promise((resolve, reject) => {
          resolveOut = resolve, rejectOut = reject;
        }).catch((err) => {
          throw Error.captureStackTrace(err), err;
        }), query.callback = (err, res) => err ? rejectOut(err) : resolveOut(res);
      }
      return readTimeout && (queryCallback = query.callback || (() => {
      }), readTimeoutTimer = setTimeout(() => {
        let error = new Error("Query read timeout");
        process.nextTick(() => {
          query.handleError(error, this.connection);
        }), queryCallback(error), query.callback = () => {
        };
        let index = this._queryQueue.indexOf(query);
        index > -1 && this._queryQueue.splice(index, 1), this._pulseQueryQueue();
      }, readTimeout), query.callback = (err, res) => {
        clearTimeout(readTimeoutTimer), queryCallback(err, res);
      }), this._queryable ? this._ending ? (query.native = this.native, process.nextTick(() => {
        query.handleError(new Error("Client was closed and is not queryable"));
      }), result) : (this._queryQueue.length > 0 && !this.pipeline && queryQueueLengthDeprecationNotice(), this._queryQueue.push(query), this._pulseQueryQueue(), result) : (query.native = this.native, process.nextTick(() => {
        query.handleError(new Error("Client has encountered a connection error and is not queryable"));
      }), result);
    };
    Client2.prototype.end = function(cb) {
      let self2 = this;
      this._ending = !0, this._connecting && !this._connected && this.once("connect", () => {
        this.end(() => {
        });
      });
      let result;
      cb || (result = new this._Promise(function(resolve, reject) {
        cb = (err) => err ? reject(err) : resolve();
      }));
      let doEnd = function() {
        self2.native.end(function() {
          self2._connected = !1, self2._errorAllQueries(new Error("Connection terminated")), process.nextTick(() => {
            self2.emit("end"), cb && cb();
          });
        });
      };
      return this.pipeline && (this._pipelineInFlight || this._queryQueue.length > 0) ? this.once("drain", doEnd) : doEnd(), result;
    };
    Client2.prototype._hasActiveQuery = function() {
      return this._activeQuery && this._activeQuery.state !== "error" && this._activeQuery.state !== "end";
    };
    Client2.prototype._pulseQueryQueue = function(initialConnection) {
      if (!this._connected)
        return;
      if (this.pipeline && !initialConnection)
        return this._pulsePipelinedQueryQueue();
      if (this._hasActiveQuery())
        return;
      let query = this._queryQueue.shift();
      if (!query) {
        initialConnection || this.emit("drain");
        return;
      }
      this._activeQuery = query, query.submit(this);
      let self2 = this;
      query.once("_done", function() {
        self2._pulseQueryQueue();
      });
    };
    Client2.prototype._pulsePipelinedQueryQueue = function() {
      if (!this._connected || this._pipelineInFlight)
        return;
      if (this._queryQueue.length === 0) {
        this.hasExecuted && this.emit("drain");
        return;
      }
      this._pipelineInFlight = !0;
      let self2 = this, queries = [], nativeQueries = [], utils = require_utils3();
      for (; this._queryQueue.length > 0; ) {
        let query = this._queryQueue.shift();
        this.hasExecuted = !0, nativeQueries.push(query);
        let values = query.values ? query.values.map(utils.prepareValue) : null, pipelineEntry = { text: query.text, name: query.name, arrayMode: query._arrayMode };
        values && (pipelineEntry.values = values), query.name && this.namedQueries[query.name] && (pipelineEntry._alreadyPrepared = !0), queries.push(pipelineEntry);
      }
      this.native.pipeline(queries, function(err, results) {
        if (self2._pipelineInFlight = !1, err) {
          self2._connected = !1, self2._queryable = !1;
          for (let i = 0; i < nativeQueries.length; i++) {
            let q = nativeQueries[i];
            q.native = self2.native, q.handleError(err);
          }
          self2._errorAllQueries(err), self2.emit("error", err), self2.emit("end");
          return;
        }
        for (let i = 0; i < nativeQueries.length; i++) {
          let q = nativeQueries[i], r = results[i];
          q.native = self2.native, r.err ? q.handleError(r.err) : (q.name && (self2.namedQueries[q.name] = q.text), q.state = "end", q.emit("end", r.result), q.callback && q.callback(null, r.result)), setImmediate(function() {
            q.emit("_done");
          });
        }
        self2._pulsePipelinedQueryQueue();
      });
    };
    Client2.prototype.cancel = function(query) {
      this._activeQuery === query ? this.native.cancel(function() {
      }) : this._queryQueue.indexOf(query) !== -1 && this._queryQueue.splice(this._queryQueue.indexOf(query), 1);
    };
    Client2.prototype.ref = function() {
    };
    Client2.prototype.unref = function() {
    };
    Client2.prototype.setTypeParser = function(oid, format, parseFn) {
      return this._types.setTypeParser(oid, format, parseFn);
    };
    Client2.prototype.getTypeParser = function(oid, format) {
      return this._types.getTypeParser(oid, format);
    };
    Client2.prototype.isConnected = function() {
      return this._connected;
    };
    Client2.prototype.getTransactionStatus = function() {
      return this.native.getTransactionStatus();
    };
  }
});

// ../../../node_modules/pg/lib/native/index.js
var require_native = __commonJS({
  "../../../node_modules/pg/lib/native/index.js"(exports2, module2) {
    "use strict";
    module2.exports = require_client2();
  }
});

// ../../../node_modules/pg/lib/index.js
var require_lib3 = __commonJS({
  "../../../node_modules/pg/lib/index.js"(exports2, module2) {
    "use strict";
    var Client2 = require_client(), defaults2 = require_defaults2(), Connection2 = require_connection(), Result2 = require_result(), utils = require_utils3(), Pool2 = require_pg_pool(), TypeOverrides2 = require_type_overrides(), { DatabaseError: DatabaseError2 } = require_dist(), { escapeIdentifier: escapeIdentifier2, escapeLiteral: escapeLiteral2 } = require_utils3(), poolFactory = (Client3) => class extends Pool2 {
      constructor(options) {
        super(options, Client3);
      }
    }, PG = function(clientConstructor2) {
      this.defaults = defaults2, this.Client = clientConstructor2, this.Query = this.Client.Query, this.Pool = poolFactory(this.Client), this._pools = [], this.Connection = Connection2, this.types = require_pg_types(), this.DatabaseError = DatabaseError2, this.TypeOverrides = TypeOverrides2, this.escapeIdentifier = escapeIdentifier2, this.escapeLiteral = escapeLiteral2, this.Result = Result2, this.utils = utils;
    }, clientConstructor = Client2, forceNative = !1;
    try {
      forceNative = !!process.env.NODE_PG_FORCE_NATIVE;
    } catch {
    }
    forceNative && (clientConstructor = require_native());
    module2.exports = new PG(clientConstructor);
    Object.defineProperty(module2.exports, "native", {
      configurable: !0,
      enumerable: !1,
      get() {
        let native = null;
        try {
          native = new PG(require_native());
        } catch (err) {
          if (err.code !== "MODULE_NOT_FOUND")
            throw err;
        }
        return Object.defineProperty(module2.exports, "native", {
          value: native
        }), native;
      }
    });
  }
});

// ../../../node_modules/prom-client/lib/util.js
var require_util2 = __commonJS({
  "../../../node_modules/prom-client/lib/util.js"(exports2) {
    "use strict";
    exports2.getValueAsString = function(value) {
      return Number.isNaN(value) ? "Nan" : Number.isFinite(value) ? `${value}` : value < 0 ? "-Inf" : "+Inf";
    };
    exports2.removeLabels = function(hashMap, labels, sortedLabelNames) {
      let hash = hashObject(labels, sortedLabelNames);
      delete hashMap[hash];
    };
    exports2.setValue = function(hashMap, value, labels) {
      let hash = hashObject(labels);
      return hashMap[hash] = {
        value: typeof value == "number" ? value : 0,
        labels: labels || {}
      }, hashMap;
    };
    exports2.setValueDelta = function(hashMap, deltaValue, labels, hash = "") {
      let value = typeof deltaValue == "number" ? deltaValue : 0;
      return hashMap[hash] ? hashMap[hash].value += value : hashMap[hash] = { value, labels }, hashMap;
    };
    exports2.getLabels = function(labelNames, args) {
      if (typeof args[0] == "object")
        return args[0];
      if (labelNames.length !== args.length)
        throw new Error(
          `Invalid number of arguments (${args.length}): "${args.join(
            ", "
          )}" for label names (${labelNames.length}): "${labelNames.join(", ")}".`
        );
      let acc = {};
      for (let i = 0; i < labelNames.length; i++)
        acc[labelNames[i]] = args[i];
      return acc;
    };
    function fastHashObject(keys, labels) {
      if (keys.length === 0)
        return "";
      let hash = "";
      for (let i = 0; i < keys.length; i++) {
        let key = keys[i], value = labels[key];
        value !== void 0 && (hash += `${key}:${value},`);
      }
      return hash;
    }
    function hashObject(labels, labelNames) {
      if (labelNames)
        return fastHashObject(labelNames, labels);
      let keys = Object.keys(labels);
      return keys.length > 1 && keys.sort(), fastHashObject(keys, labels);
    }
    exports2.hashObject = hashObject;
    exports2.isObject = function(obj) {
      return obj !== null && typeof obj == "object";
    };
    exports2.nowTimestamp = function() {
      return Date.now() / 1e3;
    };
    var Grouper = class extends Map {
      /**
       * Adds the `value` to the `key`'s array of values.
       * @param {*} key Key to set.
       * @param {*} value Value to add to `key`'s array.
       * @returns {undefined} undefined.
       */
      add(key, value) {
        this.has(key) ? this.get(key).push(value) : this.set(key, [value]);
      }
    };
    exports2.Grouper = Grouper;
  }
});

// ../../../node_modules/prom-client/lib/registry.js
var require_registry = __commonJS({
  "../../../node_modules/prom-client/lib/registry.js"(exports2, module2) {
    "use strict";
    var { getValueAsString } = require_util2(), Registry2 = class _Registry {
      static get PROMETHEUS_CONTENT_TYPE() {
        return "text/plain; version=0.0.4; charset=utf-8";
      }
      static get OPENMETRICS_CONTENT_TYPE() {
        return "application/openmetrics-text; version=1.0.0; charset=utf-8";
      }
      constructor(regContentType = _Registry.PROMETHEUS_CONTENT_TYPE) {
        if (this._metrics = {}, this._collectors = [], this._defaultLabels = {}, regContentType !== _Registry.PROMETHEUS_CONTENT_TYPE && regContentType !== _Registry.OPENMETRICS_CONTENT_TYPE)
          throw new TypeError(`Content type ${regContentType} is unsupported`);
        this._contentType = regContentType;
      }
      getMetricsAsArray() {
        return Object.values(this._metrics);
      }
      async getMetricsAsString(metrics) {
        let metric = typeof metrics.getForPromString == "function" ? await metrics.getForPromString() : await metrics.get(), name = escapeString(metric.name), help = `# HELP ${name} ${escapeString(metric.help)}`, type = `# TYPE ${name} ${metric.type}`, values = [help, type], defaultLabels = Object.keys(this._defaultLabels).length > 0 ? this._defaultLabels : null, isOpenMetrics = this.contentType === _Registry.OPENMETRICS_CONTENT_TYPE;
        for (let val of metric.values || []) {
          let { metricName = name, labels = {} } = val, { sharedLabels = {} } = val;
          isOpenMetrics && metric.type === "counter" && (metricName = `${metricName}_total`), defaultLabels && (labels = { ...labels, ...defaultLabels, ...labels });
          let formattedLabels = formatLabels(labels, sharedLabels), flattenedShared = flattenSharedLabels(sharedLabels), labelParts = [...formattedLabels, flattenedShared].filter(Boolean), labelsString = labelParts.length ? `{${labelParts.join(",")}}` : "", fullMetricLine = `${metricName}${labelsString} ${getValueAsString(
            val.value
          )}`, { exemplar } = val;
          if (exemplar && isOpenMetrics) {
            let formattedExemplars = formatLabels(exemplar.labelSet);
            fullMetricLine += ` # {${formattedExemplars.join(
              ","
            )}} ${getValueAsString(exemplar.value)} ${exemplar.timestamp}`;
          }
          values.push(fullMetricLine);
        }
        return values.join(`
`);
      }
      async metrics() {
        let isOpenMetrics = this.contentType === _Registry.OPENMETRICS_CONTENT_TYPE, promises = this.getMetricsAsArray().map((metric) => (isOpenMetrics && metric.type === "counter" && (metric.name = standardizeCounterName(metric.name)), this.getMetricsAsString(metric))), resolves = await Promise.all(promises);
        return isOpenMetrics ? `${resolves.join(`
`)}
# EOF
` : `${resolves.join(`

`)}
`;
      }
      registerMetric(metric) {
        if (this._metrics[metric.name] && this._metrics[metric.name] !== metric)
          throw new Error(
            `A metric with the name ${metric.name} has already been registered.`
          );
        this._metrics[metric.name] = metric;
      }
      clear() {
        this._metrics = {}, this._defaultLabels = {};
      }
      async getMetricsAsJSON() {
        let metrics = [], defaultLabelNames = Object.keys(this._defaultLabels), promises = [];
        for (let metric of this.getMetricsAsArray())
          promises.push(metric.get());
        let resolves = await Promise.all(promises);
        for (let item of resolves) {
          if (item.values && defaultLabelNames.length > 0)
            for (let val of item.values) {
              val.labels = Object.assign({}, val.labels);
              for (let labelName of defaultLabelNames)
                val.labels[labelName] = val.labels[labelName] || this._defaultLabels[labelName];
            }
          metrics.push(item);
        }
        return metrics;
      }
      removeSingleMetric(name) {
        delete this._metrics[name];
      }
      getSingleMetricAsString(name) {
        return this.getMetricsAsString(this._metrics[name]);
      }
      getSingleMetric(name) {
        return this._metrics[name];
      }
      setDefaultLabels(labels) {
        this._defaultLabels = labels;
      }
      resetMetrics() {
        for (let metric in this._metrics)
          this._metrics[metric].reset();
      }
      get contentType() {
        return this._contentType;
      }
      setContentType(metricsContentType) {
        if (metricsContentType === _Registry.OPENMETRICS_CONTENT_TYPE || metricsContentType === _Registry.PROMETHEUS_CONTENT_TYPE)
          this._contentType = metricsContentType;
        else
          throw new Error(`Content type ${metricsContentType} is unsupported`);
      }
      static merge(registers) {
        let regType = registers[0].contentType;
        for (let reg of registers)
          if (reg.contentType !== regType)
            throw new Error(
              "Registers can only be merged if they have the same content type"
            );
        let mergedRegistry = new _Registry(regType);
        return registers.reduce(
          (acc, reg) => acc.concat(reg.getMetricsAsArray()),
          []
        ).forEach(mergedRegistry.registerMetric, mergedRegistry), mergedRegistry;
      }
    };
    function formatLabels(labels, exclude) {
      let { hasOwnProperty } = Object.prototype, formatted = [];
      for (let [name, value] of Object.entries(labels))
        (!exclude || !hasOwnProperty.call(exclude, name)) && formatted.push(`${name}="${escapeLabelValue(value)}"`);
      return formatted;
    }
    var sharedLabelCache = /* @__PURE__ */ new WeakMap();
    function flattenSharedLabels(labels) {
      let cached = sharedLabelCache.get(labels);
      if (cached)
        return cached;
      let flattened = formatLabels(labels).join(",");
      return sharedLabelCache.set(labels, flattened), flattened;
    }
    function escapeLabelValue(str) {
      return typeof str != "string" ? str : escapeString(str).replace(/"/g, '\\"');
    }
    function escapeString(str) {
      return str.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
    }
    function standardizeCounterName(name) {
      return name.replace(/_total$/, "");
    }
    module2.exports = Registry2;
    module2.exports.globalRegistry = new Registry2();
  }
});

// ../../../node_modules/prom-client/lib/validation.js
var require_validation = __commonJS({
  "../../../node_modules/prom-client/lib/validation.js"(exports2) {
    "use strict";
    var util = require("util"), metricRegexp = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, labelRegexp = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
    exports2.validateMetricName = function(name) {
      return metricRegexp.test(name);
    };
    exports2.validateLabelName = function(names = []) {
      return names.every((name) => labelRegexp.test(name));
    };
    exports2.validateLabel = function(savedLabels, labels) {
      for (let label in labels)
        if (!savedLabels.includes(label))
          throw new Error(
            `Added label "${label}" is not included in initial labelset: ${util.inspect(
              savedLabels
            )}`
          );
    };
  }
});

// ../../../node_modules/prom-client/lib/metric.js
var require_metric = __commonJS({
  "../../../node_modules/prom-client/lib/metric.js"(exports2, module2) {
    "use strict";
    var Registry2 = require_registry(), { isObject } = require_util2(), { validateMetricName, validateLabelName } = require_validation(), Metric = class {
      constructor(config, defaults2 = {}) {
        if (!isObject(config))
          throw new TypeError("constructor expected a config object");
        if (Object.assign(
          this,
          {
            labelNames: [],
            registers: [Registry2.globalRegistry],
            aggregator: "sum",
            enableExemplars: !1
          },
          defaults2,
          config
        ), this.registers || (this.registers = [Registry2.globalRegistry]), !this.help)
          throw new Error("Missing mandatory help parameter");
        if (!this.name)
          throw new Error("Missing mandatory name parameter");
        if (!validateMetricName(this.name))
          throw new Error("Invalid metric name");
        if (!validateLabelName(this.labelNames))
          throw new Error("Invalid label name");
        if (this.collect && typeof this.collect != "function")
          throw new Error('Optional "collect" parameter must be a function');
        this.labelNames ? this.sortedLabelNames = [...this.labelNames].sort() : this.sortedLabelNames = [], this.reset();
        for (let register of this.registers) {
          if (this.enableExemplars && register.contentType === Registry2.PROMETHEUS_CONTENT_TYPE)
            throw new TypeError(
              "Exemplars are supported only on OpenMetrics registries"
            );
          register.registerMetric(this);
        }
      }
      reset() {
      }
    };
    module2.exports = { Metric };
  }
});

// ../../../node_modules/prom-client/lib/exemplar.js
var require_exemplar = __commonJS({
  "../../../node_modules/prom-client/lib/exemplar.js"(exports2, module2) {
    "use strict";
    var Exemplar = class {
      constructor(labelSet = {}, value = null) {
        this.labelSet = labelSet, this.value = value;
      }
      /**
       * Validation for the label set format.
       * https://github.com/OpenObservability/OpenMetrics/blob/d99b705f611b75fec8f450b05e344e02eea6921d/specification/OpenMetrics.md#exemplars
       *
       * @param {object} labelSet - Exemplar labels.
       * @throws {RangeError}
       * @return {void}
       */
      validateExemplarLabelSet(labelSet) {
        let res = "";
        for (let [labelName, labelValue] of Object.entries(labelSet))
          res += `${labelName}${labelValue}`;
        if (res.length > 128)
          throw new RangeError(
            "Label set size must be smaller than 128 UTF-8 chars"
          );
      }
    };
    module2.exports = Exemplar;
  }
});

// ../../../node_modules/prom-client/lib/counter.js
var require_counter = __commonJS({
  "../../../node_modules/prom-client/lib/counter.js"(exports2, module2) {
    "use strict";
    var util = require("util"), {
      hashObject,
      isObject,
      getLabels,
      removeLabels,
      nowTimestamp
    } = require_util2(), { validateLabel } = require_validation(), { Metric } = require_metric(), Exemplar = require_exemplar(), Counter2 = class extends Metric {
      constructor(config) {
        super(config), this.type = "counter", this.defaultLabels = {}, this.defaultValue = 1, this.defaultExemplarLabelSet = {}, config.enableExemplars ? (this.enableExemplars = !0, this.inc = this.incWithExemplar) : this.inc = this.incWithoutExemplar;
      }
      /**
       * Increment counter
       * @param {object} labels - What label you want to be incremented
       * @param {Number} value - Value to increment, if omitted increment with 1
       * @returns {object} results - object with information about the inc operation
       * @returns {string} results.labelHash - hash representation of the labels
       */
      incWithoutExemplar(labels, value) {
        let hash = "";
        if (isObject(labels) ? (hash = hashObject(labels, this.sortedLabelNames), validateLabel(this.labelNames, labels)) : (value = labels, labels = {}), value && !Number.isFinite(value))
          throw new TypeError(`Value is not a valid number: ${util.format(value)}`);
        if (value < 0)
          throw new Error("It is not possible to decrease a counter");
        return value == null && (value = 1), setValue(this.hashMap, value, labels, hash), { labelHash: hash };
      }
      /**
       * Increment counter with exemplar, same as inc but accepts labels for an
       * exemplar.
       * If no label is provided the current exemplar labels are kept unchanged
       * (defaults to empty set).
       *
       * @param {object} incOpts - Object with options about what metric to increase
       * @param {object} incOpts.labels - What label you want to be incremented,
       *                                  defaults to null (metric with no labels)
       * @param {Number} incOpts.value - Value to increment, defaults to 1
       * @param {object} incOpts.exemplarLabels - Key-value  labels for the
       *                                          exemplar, defaults to empty set {}
       * @returns {void}
       */
      incWithExemplar({
        labels = this.defaultLabels,
        value = this.defaultValue,
        exemplarLabels = this.defaultExemplarLabelSet
      } = {}) {
        let res = this.incWithoutExemplar(labels, value);
        this.updateExemplar(exemplarLabels, value, res.labelHash);
      }
      updateExemplar(exemplarLabels, value, hash) {
        exemplarLabels !== this.defaultExemplarLabelSet && (isObject(this.hashMap[hash].exemplar) || (this.hashMap[hash].exemplar = new Exemplar()), this.hashMap[hash].exemplar.validateExemplarLabelSet(exemplarLabels), this.hashMap[hash].exemplar.labelSet = exemplarLabels, this.hashMap[hash].exemplar.value = value || 1, this.hashMap[hash].exemplar.timestamp = nowTimestamp());
      }
      /**
       * Reset counter
       * @returns {void}
       */
      reset() {
        this.hashMap = {}, this.labelNames.length === 0 && setValue(this.hashMap, 0);
      }
      async get() {
        if (this.collect) {
          let v = this.collect();
          v instanceof Promise && await v;
        }
        return {
          help: this.help,
          name: this.name,
          type: this.type,
          values: Object.values(this.hashMap),
          aggregator: this.aggregator
        };
      }
      labels(...args) {
        let labels = getLabels(this.labelNames, args) || {};
        return {
          inc: this.inc.bind(this, labels)
        };
      }
      remove(...args) {
        let labels = getLabels(this.labelNames, args) || {};
        return validateLabel(this.labelNames, labels), removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function setValue(hashMap, value, labels = {}, hash = "") {
      return hashMap[hash] ? hashMap[hash].value += value : hashMap[hash] = { value, labels }, hashMap;
    }
    module2.exports = Counter2;
  }
});

// ../../../node_modules/prom-client/lib/gauge.js
var require_gauge = __commonJS({
  "../../../node_modules/prom-client/lib/gauge.js"(exports2, module2) {
    "use strict";
    var util = require("util"), {
      setValue,
      setValueDelta,
      getLabels,
      hashObject,
      isObject,
      removeLabels
    } = require_util2(), { validateLabel } = require_validation(), { Metric } = require_metric(), Gauge4 = class extends Metric {
      constructor(config) {
        super(config), this.type = "gauge";
      }
      /**
       * Set a gauge to a value
       * @param {object} labels - Object with labels and their values
       * @param {Number} value - Value to set the gauge to, must be positive
       * @returns {void}
       */
      set(labels, value) {
        value = getValueArg(labels, value), labels = getLabelArg(labels), set(this, labels, value);
      }
      /**
       * Reset gauge
       * @returns {void}
       */
      reset() {
        this.hashMap = {}, this.labelNames.length === 0 && setValue(this.hashMap, 0, {});
      }
      /**
       * Increment a gauge value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to increment - if omitted, increment with 1
       * @returns {void}
       */
      inc(labels, value) {
        value = getValueArg(labels, value), labels = getLabelArg(labels), value === void 0 && (value = 1), setDelta(this, labels, value);
      }
      /**
       * Decrement a gauge value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to decrement - if omitted, decrement with 1
       * @returns {void}
       */
      dec(labels, value) {
        value = getValueArg(labels, value), labels = getLabelArg(labels), value === void 0 && (value = 1), setDelta(this, labels, -value);
      }
      /**
       * Set the gauge to current unix epoch
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {void}
       */
      setToCurrentTime(labels) {
        let now = Date.now() / 1e3;
        labels === void 0 ? this.set(now) : this.set(labels, now);
      }
      /**
       * Start a timer
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Invoke this function to set the duration in seconds since you started the timer.
       * @example
       * var done = gauge.startTimer();
       * makeXHRRequest(function(err, response) {
       *	done(); //Duration of the request will be saved
       * });
       */
      startTimer(labels) {
        let start2 = process.hrtime();
        return (endLabels) => {
          let delta = process.hrtime(start2), value = delta[0] + delta[1] / 1e9;
          return this.set(Object.assign({}, labels, endLabels), value), value;
        };
      }
      async get() {
        if (this.collect) {
          let v = this.collect();
          v instanceof Promise && await v;
        }
        return {
          help: this.help,
          name: this.name,
          type: this.type,
          values: Object.values(this.hashMap),
          aggregator: this.aggregator
        };
      }
      _getValue(labels) {
        let hash = hashObject(labels || {}, this.sortedLabelNames);
        return this.hashMap[hash] ? this.hashMap[hash].value : 0;
      }
      labels(...args) {
        let labels = getLabels(this.labelNames, args);
        return validateLabel(this.labelNames, labels), {
          inc: this.inc.bind(this, labels),
          dec: this.dec.bind(this, labels),
          set: this.set.bind(this, labels),
          setToCurrentTime: this.setToCurrentTime.bind(this, labels),
          startTimer: this.startTimer.bind(this, labels)
        };
      }
      remove(...args) {
        let labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels), removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function set(gauge, labels, value) {
      if (typeof value != "number")
        throw new TypeError(`Value is not a valid number: ${util.format(value)}`);
      validateLabel(gauge.labelNames, labels), setValue(gauge.hashMap, value, labels);
    }
    function setDelta(gauge, labels, delta) {
      if (typeof delta != "number")
        throw new TypeError(`Delta is not a valid number: ${util.format(delta)}`);
      validateLabel(gauge.labelNames, labels);
      let hash = hashObject(labels, gauge.sortedLabelNames);
      setValueDelta(gauge.hashMap, delta, labels, hash);
    }
    function getLabelArg(labels) {
      return isObject(labels) ? labels : {};
    }
    function getValueArg(labels, value) {
      return isObject(labels) ? value : labels;
    }
    module2.exports = Gauge4;
  }
});

// ../../../node_modules/prom-client/lib/histogram.js
var require_histogram = __commonJS({
  "../../../node_modules/prom-client/lib/histogram.js"(exports2, module2) {
    "use strict";
    var util = require("util"), {
      getLabels,
      hashObject,
      isObject,
      removeLabels,
      nowTimestamp
    } = require_util2(), { validateLabel } = require_validation(), { Metric } = require_metric(), Exemplar = require_exemplar(), Histogram2 = class extends Metric {
      constructor(config) {
        super(config, {
          buckets: [5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        }), this.type = "histogram", this.defaultLabels = {}, this.defaultExemplarLabelSet = {}, this.enableExemplars = !1;
        for (let label of this.labelNames)
          if (label === "le")
            throw new Error("le is a reserved label keyword");
        this.upperBounds = this.buckets, this.bucketValues = this.upperBounds.reduce((acc, upperBound) => (acc[upperBound] = 0, acc), {}), config.enableExemplars ? (this.enableExemplars = !0, this.bucketExemplars = this.upperBounds.reduce((acc, upperBound) => (acc[upperBound] = null, acc), {}), Object.freeze(this.bucketExemplars), this.observe = this.observeWithExemplar) : this.observe = this.observeWithoutExemplar, Object.freeze(this.bucketValues), Object.freeze(this.upperBounds), this.labelNames.length === 0 && (this.hashMap = {
          [hashObject({})]: createBaseValues(
            {},
            this.bucketValues,
            this.bucketExemplars
          )
        });
      }
      /**
       * Observe a value in histogram
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to observe in the histogram
       * @returns {void}
       */
      observeWithoutExemplar(labels, value) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value);
      }
      observeWithExemplar({
        labels = this.defaultLabels,
        value,
        exemplarLabels = this.defaultExemplarLabelSet
      } = {}) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value), this.updateExemplar(labels, value, exemplarLabels);
      }
      updateExemplar(labels, value, exemplarLabels) {
        if (Object.keys(exemplarLabels).length === 0) return;
        let hash = hashObject(labels, this.sortedLabelNames), bound = findBound(this.upperBounds, value), { bucketExemplars } = this.hashMap[hash], exemplar = bucketExemplars[bound];
        isObject(exemplar) || (exemplar = new Exemplar(), bucketExemplars[bound] = exemplar), exemplar.validateExemplarLabelSet(exemplarLabels), exemplar.labelSet = exemplarLabels, exemplar.value = value, exemplar.timestamp = nowTimestamp();
      }
      async get() {
        let data = await this.getForPromString();
        return data.values = data.values.map(splayLabels), data;
      }
      async getForPromString() {
        if (this.collect) {
          let v = this.collect();
          v instanceof Promise && await v;
        }
        let values = Object.values(this.hashMap).map(extractBucketValuesForExport(this)).reduce(addSumAndCountForExport(this), []);
        return {
          name: this.name,
          help: this.help,
          type: this.type,
          values,
          aggregator: this.aggregator
        };
      }
      reset() {
        this.hashMap = {};
      }
      /**
       * Initialize the metrics for the given combination of labels to zero
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {void}
       */
      zero(labels) {
        let hash = hashObject(labels, this.sortedLabelNames);
        this.hashMap[hash] = createBaseValues(
          labels,
          this.bucketValues,
          this.bucketExemplars
        );
      }
      /**
       * Start a timer that could be used to logging durations
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {object} exemplarLabels - Object with labels for exemplar where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Function to invoke when you want to stop the timer and observe the duration in seconds
       * @example
       * var end = histogram.startTimer();
       * makeExpensiveXHRRequest(function(err, res) {
       * 	const duration = end(); //Observe the duration of expensiveXHRRequest and returns duration in seconds
       * 	console.log('Duration', duration);
       * });
       */
      startTimer(labels, exemplarLabels) {
        return this.enableExemplars ? startTimerWithExemplar.call(this, labels, exemplarLabels)() : startTimer.call(this, labels)();
      }
      labels(...args) {
        let labels = getLabels(this.labelNames, args);
        return validateLabel(this.labelNames, labels), {
          observe: observe.call(this, labels),
          startTimer: startTimer.call(this, labels)
        };
      }
      remove(...args) {
        let labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels), removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function startTimer(startLabels) {
      return () => {
        let start2 = process.hrtime();
        return (endLabels) => {
          let delta = process.hrtime(start2), value = delta[0] + delta[1] / 1e9;
          return this.observe(Object.assign({}, startLabels, endLabels), value), value;
        };
      };
    }
    function startTimerWithExemplar(startLabels, startExemplarLabels) {
      return () => {
        let start2 = process.hrtime();
        return (endLabels, endExemplarLabels) => {
          let delta = process.hrtime(start2), value = delta[0] + delta[1] / 1e9;
          return this.observe({
            labels: Object.assign({}, startLabels, endLabels),
            value,
            exemplarLabels: Object.assign(
              {},
              startExemplarLabels,
              endExemplarLabels
            )
          }), value;
        };
      };
    }
    function setValuePair(labels, value, metricName, exemplar, sharedLabels = {}) {
      return {
        labels,
        sharedLabels,
        value,
        metricName,
        exemplar
      };
    }
    function findBound(upperBounds, value) {
      for (let i = 0; i < upperBounds.length; i++) {
        let bound = upperBounds[i];
        if (value <= bound)
          return bound;
      }
      return -1;
    }
    function observe(labels) {
      return (value) => {
        let labelValuePair = convertLabelsAndValues(labels, value);
        if (validateLabel(this.labelNames, labelValuePair.labels), !Number.isFinite(labelValuePair.value))
          throw new TypeError(
            `Value is not a valid number: ${util.format(labelValuePair.value)}`
          );
        let hash = hashObject(labelValuePair.labels, this.sortedLabelNames), valueFromMap = this.hashMap[hash];
        valueFromMap || (valueFromMap = createBaseValues(
          labelValuePair.labels,
          this.bucketValues,
          this.bucketExemplars
        ));
        let b = findBound(this.upperBounds, labelValuePair.value);
        valueFromMap.sum += labelValuePair.value, valueFromMap.count += 1, Object.prototype.hasOwnProperty.call(valueFromMap.bucketValues, b) && (valueFromMap.bucketValues[b] += 1), this.hashMap[hash] = valueFromMap;
      };
    }
    function createBaseValues(labels, bucketValues, bucketExemplars) {
      let result = {
        labels,
        bucketValues: { ...bucketValues },
        sum: 0,
        count: 0
      };
      return bucketExemplars && (result.bucketExemplars = { ...bucketExemplars }), result;
    }
    function convertLabelsAndValues(labels, value) {
      return isObject(labels) ? {
        labels,
        value
      } : {
        value: labels,
        labels: {}
      };
    }
    function extractBucketValuesForExport(histogram) {
      let name = `${histogram.name}_bucket`;
      return (bucketData) => {
        let acc = 0;
        return { buckets: histogram.upperBounds.map((upperBound) => (acc += bucketData.bucketValues[upperBound], setValuePair(
          { le: upperBound },
          acc,
          name,
          bucketData.bucketExemplars ? bucketData.bucketExemplars[upperBound] : null,
          bucketData.labels
        ))), data: bucketData };
      };
    }
    function addSumAndCountForExport(histogram) {
      return (acc, d) => {
        acc.push(...d.buckets);
        let infLabel = { le: "+Inf" };
        return acc.push(
          setValuePair(
            infLabel,
            d.data.count,
            `${histogram.name}_bucket`,
            d.data.bucketExemplars ? d.data.bucketExemplars[-1] : null,
            d.data.labels
          ),
          setValuePair(
            {},
            d.data.sum,
            `${histogram.name}_sum`,
            void 0,
            d.data.labels
          ),
          setValuePair(
            {},
            d.data.count,
            `${histogram.name}_count`,
            void 0,
            d.data.labels
          )
        ), acc;
      };
    }
    function splayLabels(bucket) {
      let { sharedLabels, labels, ...newBucket } = bucket;
      for (let label of Object.keys(sharedLabels))
        labels[label] = sharedLabels[label];
      return newBucket.labels = labels, newBucket;
    }
    module2.exports = Histogram2;
  }
});

// ../../../node_modules/bintrees/lib/treebase.js
var require_treebase = __commonJS({
  "../../../node_modules/bintrees/lib/treebase.js"(exports2, module2) {
    function TreeBase() {
    }
    TreeBase.prototype.clear = function() {
      this._root = null, this.size = 0;
    };
    TreeBase.prototype.find = function(data) {
      for (var res = this._root; res !== null; ) {
        var c = this._comparator(data, res.data);
        if (c === 0)
          return res.data;
        res = res.get_child(c > 0);
      }
      return null;
    };
    TreeBase.prototype.findIter = function(data) {
      for (var res = this._root, iter = this.iterator(); res !== null; ) {
        var c = this._comparator(data, res.data);
        if (c === 0)
          return iter._cursor = res, iter;
        iter._ancestors.push(res), res = res.get_child(c > 0);
      }
      return null;
    };
    TreeBase.prototype.lowerBound = function(item) {
      for (var cur = this._root, iter = this.iterator(), cmp = this._comparator; cur !== null; ) {
        var c = cmp(item, cur.data);
        if (c === 0)
          return iter._cursor = cur, iter;
        iter._ancestors.push(cur), cur = cur.get_child(c > 0);
      }
      for (var i = iter._ancestors.length - 1; i >= 0; --i)
        if (cur = iter._ancestors[i], cmp(item, cur.data) < 0)
          return iter._cursor = cur, iter._ancestors.length = i, iter;
      return iter._ancestors.length = 0, iter;
    };
    TreeBase.prototype.upperBound = function(item) {
      for (var iter = this.lowerBound(item), cmp = this._comparator; iter.data() !== null && cmp(iter.data(), item) === 0; )
        iter.next();
      return iter;
    };
    TreeBase.prototype.min = function() {
      var res = this._root;
      if (res === null)
        return null;
      for (; res.left !== null; )
        res = res.left;
      return res.data;
    };
    TreeBase.prototype.max = function() {
      var res = this._root;
      if (res === null)
        return null;
      for (; res.right !== null; )
        res = res.right;
      return res.data;
    };
    TreeBase.prototype.iterator = function() {
      return new Iterator(this);
    };
    TreeBase.prototype.each = function(cb) {
      for (var it = this.iterator(), data; (data = it.next()) !== null; )
        if (cb(data) === !1)
          return;
    };
    TreeBase.prototype.reach = function(cb) {
      for (var it = this.iterator(), data; (data = it.prev()) !== null; )
        if (cb(data) === !1)
          return;
    };
    function Iterator(tree) {
      this._tree = tree, this._ancestors = [], this._cursor = null;
    }
    Iterator.prototype.data = function() {
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype.next = function() {
      if (this._cursor === null) {
        var root = this._tree._root;
        root !== null && this._minNode(root);
      } else if (this._cursor.right === null) {
        var save;
        do
          if (save = this._cursor, this._ancestors.length)
            this._cursor = this._ancestors.pop();
          else {
            this._cursor = null;
            break;
          }
        while (this._cursor.right === save);
      } else
        this._ancestors.push(this._cursor), this._minNode(this._cursor.right);
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype.prev = function() {
      if (this._cursor === null) {
        var root = this._tree._root;
        root !== null && this._maxNode(root);
      } else if (this._cursor.left === null) {
        var save;
        do
          if (save = this._cursor, this._ancestors.length)
            this._cursor = this._ancestors.pop();
          else {
            this._cursor = null;
            break;
          }
        while (this._cursor.left === save);
      } else
        this._ancestors.push(this._cursor), this._maxNode(this._cursor.left);
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype._minNode = function(start2) {
      for (; start2.left !== null; )
        this._ancestors.push(start2), start2 = start2.left;
      this._cursor = start2;
    };
    Iterator.prototype._maxNode = function(start2) {
      for (; start2.right !== null; )
        this._ancestors.push(start2), start2 = start2.right;
      this._cursor = start2;
    };
    module2.exports = TreeBase;
  }
});

// ../../../node_modules/bintrees/lib/rbtree.js
var require_rbtree = __commonJS({
  "../../../node_modules/bintrees/lib/rbtree.js"(exports2, module2) {
    var TreeBase = require_treebase();
    function Node(data) {
      this.data = data, this.left = null, this.right = null, this.red = !0;
    }
    Node.prototype.get_child = function(dir) {
      return dir ? this.right : this.left;
    };
    Node.prototype.set_child = function(dir, val) {
      dir ? this.right = val : this.left = val;
    };
    function RBTree(comparator) {
      this._root = null, this._comparator = comparator, this.size = 0;
    }
    RBTree.prototype = new TreeBase();
    RBTree.prototype.insert = function(data) {
      var ret2 = !1;
      if (this._root === null)
        this._root = new Node(data), ret2 = !0, this.size++;
      else {
        var head = new Node(void 0), dir = 0, last = 0, gp = null, ggp = head, p = null, node = this._root;
        for (ggp.right = this._root; ; ) {
          if (node === null ? (node = new Node(data), p.set_child(dir, node), ret2 = !0, this.size++) : is_red(node.left) && is_red(node.right) && (node.red = !0, node.left.red = !1, node.right.red = !1), is_red(node) && is_red(p)) {
            var dir2 = ggp.right === gp;
            node === p.get_child(last) ? ggp.set_child(dir2, single_rotate(gp, !last)) : ggp.set_child(dir2, double_rotate(gp, !last));
          }
          var cmp = this._comparator(node.data, data);
          if (cmp === 0)
            break;
          last = dir, dir = cmp < 0, gp !== null && (ggp = gp), gp = p, p = node, node = node.get_child(dir);
        }
        this._root = head.right;
      }
      return this._root.red = !1, ret2;
    };
    RBTree.prototype.remove = function(data) {
      if (this._root === null)
        return !1;
      var head = new Node(void 0), node = head;
      node.right = this._root;
      for (var p = null, gp = null, found = null, dir = 1; node.get_child(dir) !== null; ) {
        var last = dir;
        gp = p, p = node, node = node.get_child(dir);
        var cmp = this._comparator(data, node.data);
        if (dir = cmp > 0, cmp === 0 && (found = node), !is_red(node) && !is_red(node.get_child(dir))) {
          if (is_red(node.get_child(!dir))) {
            var sr = single_rotate(node, dir);
            p.set_child(last, sr), p = sr;
          } else if (!is_red(node.get_child(!dir))) {
            var sibling = p.get_child(!last);
            if (sibling !== null)
              if (!is_red(sibling.get_child(!last)) && !is_red(sibling.get_child(last)))
                p.red = !1, sibling.red = !0, node.red = !0;
              else {
                var dir2 = gp.right === p;
                is_red(sibling.get_child(last)) ? gp.set_child(dir2, double_rotate(p, last)) : is_red(sibling.get_child(!last)) && gp.set_child(dir2, single_rotate(p, last));
                var gpc = gp.get_child(dir2);
                gpc.red = !0, node.red = !0, gpc.left.red = !1, gpc.right.red = !1;
              }
          }
        }
      }
      return found !== null && (found.data = node.data, p.set_child(p.right === node, node.get_child(node.left === null)), this.size--), this._root = head.right, this._root !== null && (this._root.red = !1), found !== null;
    };
    function is_red(node) {
      return node !== null && node.red;
    }
    function single_rotate(root, dir) {
      var save = root.get_child(!dir);
      return root.set_child(!dir, save.get_child(dir)), save.set_child(dir, root), root.red = !0, save.red = !1, save;
    }
    function double_rotate(root, dir) {
      return root.set_child(!dir, single_rotate(root.get_child(!dir), !dir)), single_rotate(root, dir);
    }
    module2.exports = RBTree;
  }
});

// ../../../node_modules/bintrees/lib/bintree.js
var require_bintree = __commonJS({
  "../../../node_modules/bintrees/lib/bintree.js"(exports2, module2) {
    var TreeBase = require_treebase();
    function Node(data) {
      this.data = data, this.left = null, this.right = null;
    }
    Node.prototype.get_child = function(dir) {
      return dir ? this.right : this.left;
    };
    Node.prototype.set_child = function(dir, val) {
      dir ? this.right = val : this.left = val;
    };
    function BinTree(comparator) {
      this._root = null, this._comparator = comparator, this.size = 0;
    }
    BinTree.prototype = new TreeBase();
    BinTree.prototype.insert = function(data) {
      if (this._root === null)
        return this._root = new Node(data), this.size++, !0;
      for (var dir = 0, p = null, node = this._root; ; ) {
        if (node === null)
          return node = new Node(data), p.set_child(dir, node), ret = !0, this.size++, !0;
        if (this._comparator(node.data, data) === 0)
          return !1;
        dir = this._comparator(node.data, data) < 0, p = node, node = node.get_child(dir);
      }
    };
    BinTree.prototype.remove = function(data) {
      if (this._root === null)
        return !1;
      var head = new Node(void 0), node = head;
      node.right = this._root;
      for (var p = null, found = null, dir = 1; node.get_child(dir) !== null; ) {
        p = node, node = node.get_child(dir);
        var cmp = this._comparator(data, node.data);
        dir = cmp > 0, cmp === 0 && (found = node);
      }
      return found !== null ? (found.data = node.data, p.set_child(p.right === node, node.get_child(node.left === null)), this._root = head.right, this.size--, !0) : !1;
    };
    module2.exports = BinTree;
  }
});

// ../../../node_modules/bintrees/index.js
var require_bintrees = __commonJS({
  "../../../node_modules/bintrees/index.js"(exports2, module2) {
    module2.exports = {
      RBTree: require_rbtree(),
      BinTree: require_bintree()
    };
  }
});

// ../../../node_modules/tdigest/tdigest.js
var require_tdigest = __commonJS({
  "../../../node_modules/tdigest/tdigest.js"(exports2, module2) {
    var RBTree = require_bintrees().RBTree;
    function TDigest(delta, K, CX) {
      this.discrete = delta === !1, this.delta = delta || 0.01, this.K = K === void 0 ? 25 : K, this.CX = CX === void 0 ? 1.1 : CX, this.centroids = new RBTree(compare_centroid_means), this.nreset = 0, this.reset();
    }
    TDigest.prototype.reset = function() {
      this.centroids.clear(), this.n = 0, this.nreset += 1, this.last_cumulate = 0;
    };
    TDigest.prototype.size = function() {
      return this.centroids.size;
    };
    TDigest.prototype.toArray = function(everything) {
      var result = [];
      return everything ? (this._cumulate(!0), this.centroids.each(function(c) {
        result.push(c);
      })) : this.centroids.each(function(c) {
        result.push({ mean: c.mean, n: c.n });
      }), result;
    };
    TDigest.prototype.summary = function() {
      var approx = this.discrete ? "exact " : "approximating ", s = [
        approx + this.n + " samples using " + this.size() + " centroids",
        "min = " + this.percentile(0),
        "Q1  = " + this.percentile(0.25),
        "Q2  = " + this.percentile(0.5),
        "Q3  = " + this.percentile(0.75),
        "max = " + this.percentile(1)
      ];
      return s.join(`
`);
    };
    function compare_centroid_means(a, b) {
      return a.mean > b.mean ? 1 : a.mean < b.mean ? -1 : 0;
    }
    function compare_centroid_mean_cumns(a, b) {
      return a.mean_cumn - b.mean_cumn;
    }
    TDigest.prototype.push = function(x, n) {
      n = n || 1, x = Array.isArray(x) ? x : [x];
      for (var i = 0; i < x.length; i++)
        this._digest(x[i], n);
    };
    TDigest.prototype.push_centroid = function(c) {
      c = Array.isArray(c) ? c : [c];
      for (var i = 0; i < c.length; i++)
        this._digest(c[i].mean, c[i].n);
    };
    TDigest.prototype._cumulate = function(exact) {
      if (!(this.n === this.last_cumulate || !exact && this.CX && this.CX > this.n / this.last_cumulate)) {
        var cumn = 0;
        this.centroids.each(function(c) {
          c.mean_cumn = cumn + c.n / 2, cumn = c.cumn = cumn + c.n;
        }), this.n = this.last_cumulate = cumn;
      }
    };
    TDigest.prototype.find_nearest = function(x) {
      if (this.size() === 0)
        return null;
      var iter = this.centroids.lowerBound({ mean: x }), c = iter.data() === null ? iter.prev() : iter.data();
      if (c.mean === x || this.discrete)
        return c;
      var prev = iter.prev();
      return prev && Math.abs(prev.mean - x) < Math.abs(c.mean - x) ? prev : c;
    };
    TDigest.prototype._new_centroid = function(x, n, cumn) {
      var c = { mean: x, n, cumn };
      return this.centroids.insert(c), this.n += n, c;
    };
    TDigest.prototype._addweight = function(nearest, x, n) {
      x !== nearest.mean && (nearest.mean += n * (x - nearest.mean) / (nearest.n + n)), nearest.cumn += n, nearest.mean_cumn += n / 2, nearest.n += n, this.n += n;
    };
    TDigest.prototype._digest = function(x, n) {
      var min = this.centroids.min(), max = this.centroids.max(), nearest = this.find_nearest(x);
      if (nearest && nearest.mean === x)
        this._addweight(nearest, x, n);
      else if (nearest === min)
        this._new_centroid(x, n, 0);
      else if (nearest === max)
        this._new_centroid(x, n, this.n);
      else if (this.discrete)
        this._new_centroid(x, n, nearest.cumn);
      else {
        var p = nearest.mean_cumn / this.n, max_n = Math.floor(4 * this.n * this.delta * p * (1 - p));
        max_n - nearest.n >= n ? this._addweight(nearest, x, n) : this._new_centroid(x, n, nearest.cumn);
      }
      this._cumulate(!1), !this.discrete && this.K && this.size() > this.K / this.delta && this.compress();
    };
    TDigest.prototype.bound_mean = function(x) {
      var iter = this.centroids.upperBound({ mean: x }), lower = iter.prev(), upper = lower.mean === x ? lower : iter.next();
      return [lower, upper];
    };
    TDigest.prototype.p_rank = function(x_or_xlist) {
      var xs = Array.isArray(x_or_xlist) ? x_or_xlist : [x_or_xlist], ps = xs.map(this._p_rank, this);
      return Array.isArray(x_or_xlist) ? ps : ps[0];
    };
    TDigest.prototype._p_rank = function(x) {
      if (this.size() !== 0) {
        {
          if (x < this.centroids.min().mean)
            return 0;
          if (x > this.centroids.max().mean)
            return 1;
        }
        this._cumulate(!0);
        var bound = this.bound_mean(x), lower = bound[0], upper = bound[1];
        if (this.discrete)
          return lower.cumn / this.n;
        var cumn = lower.mean_cumn;
        return lower !== upper && (cumn += (x - lower.mean) * (upper.mean_cumn - lower.mean_cumn) / (upper.mean - lower.mean)), cumn / this.n;
      }
    };
    TDigest.prototype.bound_mean_cumn = function(cumn) {
      this.centroids._comparator = compare_centroid_mean_cumns;
      var iter = this.centroids.upperBound({ mean_cumn: cumn });
      this.centroids._comparator = compare_centroid_means;
      var lower = iter.prev(), upper = lower && lower.mean_cumn === cumn ? lower : iter.next();
      return [lower, upper];
    };
    TDigest.prototype.percentile = function(p_or_plist) {
      var ps = Array.isArray(p_or_plist) ? p_or_plist : [p_or_plist], qs = ps.map(this._percentile, this);
      return Array.isArray(p_or_plist) ? qs : qs[0];
    };
    TDigest.prototype._percentile = function(p) {
      if (this.size() !== 0) {
        this._cumulate(!0);
        var h = this.n * p, bound = this.bound_mean_cumn(h), lower = bound[0], upper = bound[1];
        return upper === lower || lower === null || upper === null ? (lower || upper).mean : this.discrete ? h <= lower.cumn ? lower.mean : upper.mean : lower.mean + (h - lower.mean_cumn) * (upper.mean - lower.mean) / (upper.mean_cumn - lower.mean_cumn);
      }
    };
    function pop_random(choices) {
      var idx = Math.floor(Math.random() * choices.length);
      return choices.splice(idx, 1)[0];
    }
    TDigest.prototype.compress = function() {
      if (!this.compressing) {
        var points = this.toArray();
        for (this.reset(), this.compressing = !0; points.length > 0; )
          this.push_centroid(pop_random(points));
        this._cumulate(!0), this.compressing = !1;
      }
    };
    function Digest(config) {
      this.config = config || {}, this.mode = this.config.mode || "auto", TDigest.call(this, this.mode === "cont" ? config.delta : !1), this.digest_ratio = this.config.ratio || 0.9, this.digest_thresh = this.config.thresh || 1e3, this.n_unique = 0;
    }
    Digest.prototype = Object.create(TDigest.prototype);
    Digest.prototype.constructor = Digest;
    Digest.prototype.push = function(x_or_xlist) {
      TDigest.prototype.push.call(this, x_or_xlist), this.check_continuous();
    };
    Digest.prototype._new_centroid = function(x, n, cumn) {
      this.n_unique += 1, TDigest.prototype._new_centroid.call(this, x, n, cumn);
    };
    Digest.prototype._addweight = function(nearest, x, n) {
      nearest.n === 1 && (this.n_unique -= 1), TDigest.prototype._addweight.call(this, nearest, x, n);
    };
    Digest.prototype.check_continuous = function() {
      return this.mode !== "auto" || this.size() < this.digest_thresh ? !1 : this.n_unique / this.size() > this.digest_ratio ? (this.mode = "cont", this.discrete = !1, this.delta = this.config.delta || 0.01, this.compress(), !0) : !1;
    };
    module2.exports = {
      TDigest,
      Digest
    };
  }
});

// ../../../node_modules/prom-client/lib/timeWindowQuantiles.js
var require_timeWindowQuantiles = __commonJS({
  "../../../node_modules/prom-client/lib/timeWindowQuantiles.js"(exports2, module2) {
    "use strict";
    var { TDigest } = require_tdigest(), TimeWindowQuantiles = class {
      constructor(maxAgeSeconds, ageBuckets) {
        this.maxAgeSeconds = maxAgeSeconds || 0, this.ageBuckets = ageBuckets || 0, this.shouldRotate = maxAgeSeconds && ageBuckets, this.ringBuffer = Array(ageBuckets).fill(new TDigest()), this.currentBuffer = 0, this.lastRotateTimestampMillis = Date.now(), this.durationBetweenRotatesMillis = maxAgeSeconds * 1e3 / ageBuckets || 1 / 0;
      }
      size() {
        return rotate.call(this).size();
      }
      percentile(quantile) {
        return rotate.call(this).percentile(quantile);
      }
      push(value) {
        rotate.call(this), this.ringBuffer.forEach((bucket) => {
          bucket.push(value);
        });
      }
      reset() {
        this.ringBuffer.forEach((bucket) => {
          bucket.reset();
        });
      }
      compress() {
        this.ringBuffer.forEach((bucket) => {
          bucket.compress();
        });
      }
    };
    function rotate() {
      let timeSinceLastRotateMillis = Date.now() - this.lastRotateTimestampMillis;
      for (; timeSinceLastRotateMillis > this.durationBetweenRotatesMillis && this.shouldRotate; )
        this.ringBuffer[this.currentBuffer] = new TDigest(), ++this.currentBuffer >= this.ringBuffer.length && (this.currentBuffer = 0), timeSinceLastRotateMillis -= this.durationBetweenRotatesMillis, this.lastRotateTimestampMillis += this.durationBetweenRotatesMillis;
      return this.ringBuffer[this.currentBuffer];
    }
    module2.exports = TimeWindowQuantiles;
  }
});

// ../../../node_modules/prom-client/lib/summary.js
var require_summary = __commonJS({
  "../../../node_modules/prom-client/lib/summary.js"(exports2, module2) {
    "use strict";
    var util = require("util"), { getLabels, hashObject, removeLabels } = require_util2(), { validateLabel } = require_validation(), { Metric } = require_metric(), timeWindowQuantiles = require_timeWindowQuantiles(), DEFAULT_COMPRESS_COUNT = 1e3, Summary = class extends Metric {
      constructor(config) {
        super(config, {
          percentiles: [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999],
          compressCount: DEFAULT_COMPRESS_COUNT,
          hashMap: {}
        }), this.type = "summary";
        for (let label of this.labelNames)
          if (label === "quantile")
            throw new Error("quantile is a reserved label keyword");
        this.labelNames.length === 0 && (this.hashMap = {
          [hashObject({})]: {
            labels: {},
            td: new timeWindowQuantiles(this.maxAgeSeconds, this.ageBuckets),
            count: 0,
            sum: 0
          }
        });
      }
      /**
       * Observe a value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to observe
       * @returns {void}
       */
      observe(labels, value) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value);
      }
      async get() {
        if (this.collect) {
          let v = this.collect();
          v instanceof Promise && await v;
        }
        let hashKeys = Object.keys(this.hashMap), values = [];
        return hashKeys.forEach((hashKey) => {
          let s = this.hashMap[hashKey];
          s && (this.pruneAgedBuckets && s.td.size() === 0 ? delete this.hashMap[hashKey] : (extractSummariesForExport(s, this.percentiles).forEach((v) => {
            values.push(v);
          }), values.push(getSumForExport(s, this)), values.push(getCountForExport(s, this))));
        }), {
          name: this.name,
          help: this.help,
          type: this.type,
          values,
          aggregator: this.aggregator
        };
      }
      reset() {
        Object.values(this.hashMap).forEach((s) => {
          s.td.reset(), s.count = 0, s.sum = 0;
        });
      }
      /**
       * Start a timer that could be used to logging durations
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Function to invoke when you want to stop the timer and observe the duration in seconds
       * @example
       * var end = summary.startTimer();
       * makeExpensiveXHRRequest(function(err, res) {
       *	end(); //Observe the duration of expensiveXHRRequest
       * });
       */
      startTimer(labels) {
        return startTimer.call(this, labels)();
      }
      labels(...args) {
        let labels = getLabels(this.labelNames, args);
        return validateLabel(this.labelNames, labels), {
          observe: observe.call(this, labels),
          startTimer: startTimer.call(this, labels)
        };
      }
      remove(...args) {
        let labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels), removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function extractSummariesForExport(summaryOfLabels, percentiles) {
      return summaryOfLabels.td.compress(), percentiles.map((percentile) => {
        let percentileValue = summaryOfLabels.td.percentile(percentile);
        return {
          labels: Object.assign({ quantile: percentile }, summaryOfLabels.labels),
          value: percentileValue || 0
        };
      });
    }
    function getCountForExport(value, summary) {
      return {
        metricName: `${summary.name}_count`,
        labels: value.labels,
        value: value.count
      };
    }
    function getSumForExport(value, summary) {
      return {
        metricName: `${summary.name}_sum`,
        labels: value.labels,
        value: value.sum
      };
    }
    function startTimer(startLabels) {
      return () => {
        let start2 = process.hrtime();
        return (endLabels) => {
          let delta = process.hrtime(start2), value = delta[0] + delta[1] / 1e9;
          return this.observe(Object.assign({}, startLabels, endLabels), value), value;
        };
      };
    }
    function observe(labels) {
      return (value) => {
        let labelValuePair = convertLabelsAndValues(labels, value);
        if (validateLabel(this.labelNames, labels), !Number.isFinite(labelValuePair.value))
          throw new TypeError(
            `Value is not a valid number: ${util.format(labelValuePair.value)}`
          );
        let hash = hashObject(labelValuePair.labels, this.sortedLabelNames), summaryOfLabel = this.hashMap[hash];
        summaryOfLabel || (summaryOfLabel = {
          labels: labelValuePair.labels,
          td: new timeWindowQuantiles(this.maxAgeSeconds, this.ageBuckets),
          count: 0,
          sum: 0
        }), summaryOfLabel.td.push(labelValuePair.value), summaryOfLabel.count++, summaryOfLabel.count % this.compressCount === 0 && summaryOfLabel.td.compress(), summaryOfLabel.sum += labelValuePair.value, this.hashMap[hash] = summaryOfLabel;
      };
    }
    function convertLabelsAndValues(labels, value) {
      return value === void 0 ? {
        value: labels,
        labels: {}
      } : {
        labels,
        value
      };
    }
    module2.exports = Summary;
  }
});

// ../../../node_modules/prom-client/lib/pushgateway.js
var require_pushgateway = __commonJS({
  "../../../node_modules/prom-client/lib/pushgateway.js"(exports2, module2) {
    "use strict";
    var url = require("url"), http = require("http"), https = require("https"), { gzipSync } = require("zlib"), { globalRegistry } = require_registry(), Pushgateway = class {
      constructor(gatewayUrl, options, registry2) {
        registry2 || (registry2 = globalRegistry), this.registry = registry2, this.gatewayUrl = gatewayUrl;
        let { requireJobName, ...requestOptions } = {
          requireJobName: !0,
          ...options
        };
        this.requireJobName = requireJobName, this.requestOptions = requestOptions;
      }
      pushAdd(params = {}) {
        if (this.requireJobName && !params.jobName)
          throw new Error("Missing jobName parameter");
        return useGateway.call(this, "POST", params.jobName, params.groupings);
      }
      push(params = {}) {
        if (this.requireJobName && !params.jobName)
          throw new Error("Missing jobName parameter");
        return useGateway.call(this, "PUT", params.jobName, params.groupings);
      }
      delete(params = {}) {
        if (this.requireJobName && !params.jobName)
          throw new Error("Missing jobName parameter");
        return useGateway.call(this, "DELETE", params.jobName, params.groupings);
      }
    };
    async function useGateway(method, job, groupings) {
      let gatewayUrlParsed = url.parse(this.gatewayUrl), gatewayUrlPath = gatewayUrlParsed.pathname && gatewayUrlParsed.pathname !== "/" ? gatewayUrlParsed.pathname : "", jobPath = job ? `/job/${encodeURIComponent(job)}${generateGroupings(groupings)}` : "", path = `${gatewayUrlPath}/metrics${jobPath}`, target = url.resolve(this.gatewayUrl, path), requestParams = url.parse(target), httpModule = isHttps(requestParams.href) ? https : http, options = Object.assign(requestParams, this.requestOptions, {
        method
      });
      return new Promise((resolve, reject) => {
        method === "DELETE" && options.headers && delete options.headers["Content-Encoding"];
        let req = httpModule.request(options, (resp) => {
          let body = "";
          resp.setEncoding("utf8"), resp.on("data", (chunk) => {
            body += chunk;
          }), resp.on("end", () => {
            resp.statusCode >= 400 ? reject(
              new Error(`push failed with status ${resp.statusCode}, ${body}`)
            ) : resolve({ resp, body });
          });
        });
        req.on("error", (err) => {
          reject(err);
        }), req.on("timeout", () => {
          req.destroy(new Error("Pushgateway request timed out"));
        }), method !== "DELETE" ? this.registry.metrics().then((metrics) => {
          options.headers && options.headers["Content-Encoding"] === "gzip" && (metrics = gzipSync(metrics)), req.write(metrics), req.end();
        }).catch((err) => {
          reject(err);
        }) : req.end();
      });
    }
    function generateGroupings(groupings) {
      return groupings ? Object.keys(groupings).map(
        (key) => `/${encodeURIComponent(key)}/${encodeURIComponent(groupings[key])}`
      ).join("") : "";
    }
    function isHttps(href) {
      return href.search(/^https/) !== -1;
    }
    module2.exports = Pushgateway;
  }
});

// ../../../node_modules/prom-client/lib/bucketGenerators.js
var require_bucketGenerators = __commonJS({
  "../../../node_modules/prom-client/lib/bucketGenerators.js"(exports2) {
    "use strict";
    exports2.linearBuckets = (start2, width, count) => {
      if (count < 1)
        throw new Error("Linear buckets needs a positive count");
      let buckets = new Array(count);
      for (let i = 0; i < count; i++)
        buckets[i] = start2 + i * width;
      return buckets;
    };
    exports2.exponentialBuckets = (start2, factor, count) => {
      if (start2 <= 0)
        throw new Error("Exponential buckets needs a positive start");
      if (count < 1)
        throw new Error("Exponential buckets needs a positive count");
      if (factor <= 1)
        throw new Error("Exponential buckets needs a factor greater than 1");
      let buckets = new Array(count);
      for (let i = 0; i < count; i++)
        buckets[i] = start2, start2 *= factor;
      return buckets;
    };
  }
});

// ../../../node_modules/@opentelemetry/api/dist/diag/types.cjs
var require_types = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/diag/types.cjs"(exports2) {
    var DiagLogLevel = /* @__PURE__ */ (function(DiagLogLevel2) {
      return DiagLogLevel2[DiagLogLevel2.NONE = 0] = "NONE", DiagLogLevel2[DiagLogLevel2.ERROR = 30] = "ERROR", DiagLogLevel2[DiagLogLevel2.WARN = 50] = "WARN", DiagLogLevel2[DiagLogLevel2.INFO = 60] = "INFO", DiagLogLevel2[DiagLogLevel2.DEBUG = 70] = "DEBUG", DiagLogLevel2[DiagLogLevel2.VERBOSE = 80] = "VERBOSE", DiagLogLevel2[DiagLogLevel2.ALL = 9999] = "ALL", DiagLogLevel2;
    })({});
    exports2.DiagLogLevel = DiagLogLevel;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/version.cjs
var require_version = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/version.cjs"(exports2) {
    var VERSION = "1.10.0";
    exports2.VERSION = VERSION;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/internal/semver.cjs
var require_semver = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/internal/semver.cjs"(exports2) {
    var require_version3 = require_version(), re = /^(\d+)\.(\d+)\.(\d+)(-(.+))?$/;
    function _makeCompatibilityCheck(ownVersion) {
      let acceptedVersions = /* @__PURE__ */ new Set([ownVersion]), rejectedVersions = /* @__PURE__ */ new Set(), myVersionMatch = ownVersion.match(re);
      if (!myVersionMatch) return () => !1;
      let ownVersionParsed = {
        major: +myVersionMatch[1],
        minor: +myVersionMatch[2],
        patch: +myVersionMatch[3],
        prerelease: myVersionMatch[4]
      };
      if (ownVersionParsed.prerelease != null) return function(globalVersion) {
        return globalVersion === ownVersion;
      };
      function _reject(v) {
        return rejectedVersions.add(v), !1;
      }
      function _accept(v) {
        return acceptedVersions.add(v), !0;
      }
      return function(globalVersion) {
        if (acceptedVersions.has(globalVersion)) return !0;
        if (rejectedVersions.has(globalVersion)) return !1;
        let globalVersionMatch = globalVersion.match(re);
        if (!globalVersionMatch) return _reject(globalVersion);
        let globalVersionParsed = {
          major: +globalVersionMatch[1],
          minor: +globalVersionMatch[2],
          patch: +globalVersionMatch[3],
          prerelease: globalVersionMatch[4]
        };
        return globalVersionParsed.prerelease != null || ownVersionParsed.major !== globalVersionParsed.major ? _reject(globalVersion) : ownVersionParsed.major === 0 ? ownVersionParsed.minor === globalVersionParsed.minor && ownVersionParsed.patch <= globalVersionParsed.patch ? _accept(globalVersion) : _reject(globalVersion) : ownVersionParsed.minor <= globalVersionParsed.minor ? _accept(globalVersion) : _reject(globalVersion);
      };
    }
    var isCompatible = _makeCompatibilityCheck(require_version3.VERSION);
    exports2._makeCompatibilityCheck = _makeCompatibilityCheck;
    exports2.isCompatible = isCompatible;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/internal/global-utils.cjs
var require_global_utils = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/internal/global-utils.cjs"(exports2) {
    var require_version3 = require_version(), require_semver2 = require_semver(), major = require_version3.VERSION.split(".")[0], GLOBAL_OPENTELEMETRY_API_KEY = /* @__PURE__ */ Symbol.for(`opentelemetry.js.api.${major}`), _global = typeof globalThis == "object" ? globalThis : typeof self == "object" ? self : typeof window == "object" ? window : typeof global == "object" ? global : {};
    function _makeGlobalApi() {
      return Object.defineProperty({}, "version", {
        value: require_version3.VERSION,
        enumerable: !0,
        writable: !1,
        configurable: !1
      });
    }
    function registerGlobal(type, instance, diag, allowOverride = !1) {
      var _global$GLOBAL_OPENTE;
      let api = _global[GLOBAL_OPENTELEMETRY_API_KEY] = (_global$GLOBAL_OPENTE = _global[GLOBAL_OPENTELEMETRY_API_KEY]) !== null && _global$GLOBAL_OPENTE !== void 0 ? _global$GLOBAL_OPENTE : _makeGlobalApi();
      if (!allowOverride && api[type]) {
        let err = /* @__PURE__ */ new Error(`@opentelemetry/api: Attempted duplicate registration of API: ${type}`);
        return diag.error(err.stack || err.message), !1;
      }
      if (api.version !== "1.10.0") {
        let err = /* @__PURE__ */ new Error(`@opentelemetry/api: Registration of version v${api.version} for ${type} does not match previously registered API v${require_version3.VERSION}`);
        return diag.error(err.stack || err.message), !1;
      }
      return api[type] = instance, diag.debug(`@opentelemetry/api: Registered a global for ${type} v${require_version3.VERSION}.`), !0;
    }
    var _compatibleGlobalApi;
    function getGlobal(type) {
      let api = _global[GLOBAL_OPENTELEMETRY_API_KEY];
      if (api != null) {
        if (api !== _compatibleGlobalApi) {
          if (!api.version || !require_semver2.isCompatible(api.version)) return;
          _compatibleGlobalApi = api;
        }
        return api[type];
      }
    }
    function unregisterGlobal(type, diag) {
      diag.debug(`@opentelemetry/api: Unregistering a global for ${type} v${require_version3.VERSION}.`);
      let api = _global[GLOBAL_OPENTELEMETRY_API_KEY];
      api && delete api[type];
    }
    exports2.getGlobal = getGlobal;
    exports2.registerGlobal = registerGlobal;
    exports2.unregisterGlobal = unregisterGlobal;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/diag/ComponentLogger.cjs
var require_ComponentLogger = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/diag/ComponentLogger.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), DiagComponentLogger = class {
      constructor(props) {
        this._namespace = props.namespace || "DiagComponentLogger";
      }
      debug(...args) {
        return logProxy("debug", this._namespace, args);
      }
      error(...args) {
        return logProxy("error", this._namespace, args);
      }
      info(...args) {
        return logProxy("info", this._namespace, args);
      }
      warn(...args) {
        return logProxy("warn", this._namespace, args);
      }
      verbose(...args) {
        return logProxy("verbose", this._namespace, args);
      }
    };
    function logProxy(funcName, namespace, args) {
      let logger = require_global_utils2.getGlobal("diag");
      if (logger)
        return logger[funcName](namespace, ...args);
    }
    exports2.DiagComponentLogger = DiagComponentLogger;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/diag/internal/logLevelLogger.cjs
var require_logLevelLogger = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/diag/internal/logLevelLogger.cjs"(exports2) {
    require_types();
    function createLogLevelDiagLogger(maxLevel, logger) {
      maxLevel < 0 ? maxLevel = 0 : maxLevel > 9999 && (maxLevel = 9999), logger = logger || {};
      function _filterFunc(funcName, theLevel) {
        let theFunc = logger[funcName];
        return typeof theFunc == "function" && maxLevel >= theLevel ? theFunc.bind(logger) : function() {
        };
      }
      return {
        error: _filterFunc("error", 30),
        warn: _filterFunc("warn", 50),
        info: _filterFunc("info", 60),
        debug: _filterFunc("debug", 70),
        verbose: _filterFunc("verbose", 80)
      };
    }
    exports2.createLogLevelDiagLogger = createLogLevelDiagLogger;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/diag.cjs
var require_diag = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/diag.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_ComponentLogger2 = require_ComponentLogger();
    require_types();
    var require_logLevelLogger2 = require_logLevelLogger(), API_NAME = "diag", DiagAPI = class DiagAPI2 {
      /** Get the singleton instance of the DiagAPI API */
      static instance() {
        return this._instance || (this._instance = new DiagAPI2()), this._instance;
      }
      /**
      * Private internal constructor
      * @private
      */
      constructor() {
        function _logProxy(funcName) {
          return function(...args) {
            let logger = require_global_utils2.getGlobal("diag");
            if (logger)
              return logger[funcName](...args);
          };
        }
        let self2 = this, setLogger = (logger, optionsOrLogLevel = { logLevel: 60 }) => {
          var _optionsOrLogLevel$lo;
          if (logger === self2) {
            var _err$stack;
            let err = /* @__PURE__ */ new Error("Cannot use diag as the logger for itself. Please use a DiagLogger implementation like ConsoleDiagLogger or a custom implementation");
            return self2.error((_err$stack = err.stack) !== null && _err$stack !== void 0 ? _err$stack : err.message), !1;
          }
          typeof optionsOrLogLevel == "number" && (optionsOrLogLevel = { logLevel: optionsOrLogLevel });
          let oldLogger = require_global_utils2.getGlobal("diag"), newLogger = require_logLevelLogger2.createLogLevelDiagLogger((_optionsOrLogLevel$lo = optionsOrLogLevel.logLevel) !== null && _optionsOrLogLevel$lo !== void 0 ? _optionsOrLogLevel$lo : 60, logger);
          if (oldLogger && !optionsOrLogLevel.suppressOverrideMessage) {
            var _Error$stack;
            let stack = (_Error$stack = (/* @__PURE__ */ new Error()).stack) !== null && _Error$stack !== void 0 ? _Error$stack : "<failed to generate stacktrace>";
            oldLogger.warn(`Current logger will be overwritten from ${stack}`), newLogger.warn(`Current logger will overwrite one already registered from ${stack}`);
          }
          return require_global_utils2.registerGlobal("diag", newLogger, self2, !0);
        };
        self2.setLogger = setLogger, self2.disable = () => {
          require_global_utils2.unregisterGlobal(API_NAME, self2);
        }, self2.createComponentLogger = (options) => new require_ComponentLogger2.DiagComponentLogger(options), self2.verbose = _logProxy("verbose"), self2.debug = _logProxy("debug"), self2.info = _logProxy("info"), self2.warn = _logProxy("warn"), self2.error = _logProxy("error");
      }
    };
    exports2.DiagAPI = DiagAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/baggage/internal/baggage-impl.cjs
var require_baggage_impl = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/baggage/internal/baggage-impl.cjs"(exports2) {
    var BaggageImpl = class BaggageImpl2 {
      constructor(entries) {
        this._entries = entries ? new Map(entries) : /* @__PURE__ */ new Map();
      }
      getEntry(key) {
        let entry = this._entries.get(key);
        if (entry)
          return Object.assign({}, entry);
      }
      getAllEntries() {
        return Array.from(this._entries.entries());
      }
      setEntry(key, entry) {
        let newBaggage = new BaggageImpl2(this._entries);
        return newBaggage._entries.set(key, entry), newBaggage;
      }
      removeEntry(key) {
        let newBaggage = new BaggageImpl2(this._entries);
        return newBaggage._entries.delete(key), newBaggage;
      }
      removeEntries(...keys) {
        let newBaggage = new BaggageImpl2(this._entries);
        for (let key of keys) newBaggage._entries.delete(key);
        return newBaggage;
      }
      clear() {
        return new BaggageImpl2();
      }
    };
    exports2.BaggageImpl = BaggageImpl;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/baggage/internal/symbol.cjs
var require_symbol = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/baggage/internal/symbol.cjs"(exports2) {
    var baggageEntryMetadataSymbol = /* @__PURE__ */ Symbol("BaggageEntryMetadata");
    exports2.baggageEntryMetadataSymbol = baggageEntryMetadataSymbol;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/baggage/utils.cjs
var require_utils5 = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/baggage/utils.cjs"(exports2) {
    var require_diag2 = require_diag(), require_baggage_impl2 = require_baggage_impl(), require_symbol2 = require_symbol(), diag = require_diag2.DiagAPI.instance();
    function createBaggage(entries = {}) {
      return new require_baggage_impl2.BaggageImpl(new Map(Object.entries(entries)));
    }
    function baggageEntryMetadataFromString(str) {
      return typeof str != "string" && (diag.error(`Cannot create baggage metadata from unknown type: ${typeof str}`), str = ""), {
        __TYPE__: require_symbol2.baggageEntryMetadataSymbol,
        toString() {
          return str;
        }
      };
    }
    exports2.baggageEntryMetadataFromString = baggageEntryMetadataFromString;
    exports2.createBaggage = createBaggage;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/context/context.cjs
var require_context = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/context/context.cjs"(exports2) {
    function createContextKey(description) {
      return Symbol.for(description);
    }
    var ROOT_CONTEXT = new class BaseContext {
      /**
      * Construct a new context which inherits values from an optional parent context.
      *
      * @param parentContext a context from which to inherit values
      */
      constructor(parentContext) {
        let self2 = this;
        self2._currentContext = parentContext ? new Map(parentContext) : /* @__PURE__ */ new Map(), self2.getValue = (key) => self2._currentContext.get(key), self2.setValue = (key, value) => {
          let context = new BaseContext(self2._currentContext);
          return context._currentContext.set(key, value), context;
        }, self2.deleteValue = (key) => {
          let context = new BaseContext(self2._currentContext);
          return context._currentContext.delete(key), context;
        };
      }
    }();
    exports2.ROOT_CONTEXT = ROOT_CONTEXT;
    exports2.createContextKey = createContextKey;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/diag/consoleLogger.cjs
var require_consoleLogger = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/diag/consoleLogger.cjs"(exports2) {
    var consoleMap = [
      {
        n: "error",
        c: "error"
      },
      {
        n: "warn",
        c: "warn"
      },
      {
        n: "info",
        c: "info"
      },
      {
        n: "debug",
        c: "debug"
      },
      {
        n: "verbose",
        c: "trace"
      }
    ], _originalConsoleMethods = {};
    if (typeof console < "u")
      for (let key of [
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "log"
      ]) typeof console[key] == "function" && (_originalConsoleMethods[key] = console[key]);
    var DiagConsoleLogger = class {
      constructor() {
        function _consoleFunc(funcName) {
          return function(...args) {
            let theFunc = _originalConsoleMethods[funcName];
            if (typeof theFunc != "function" && (theFunc = _originalConsoleMethods.log), typeof theFunc != "function" && console && (theFunc = console[funcName], typeof theFunc != "function" && (theFunc = console.log)), typeof theFunc == "function") return theFunc.apply(console, args);
          };
        }
        for (let i = 0; i < consoleMap.length; i++) this[consoleMap[i].n] = _consoleFunc(consoleMap[i].c);
      }
    };
    exports2.DiagConsoleLogger = DiagConsoleLogger;
    exports2._originalConsoleMethods = _originalConsoleMethods;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/metrics/NoopMeter.cjs
var require_NoopMeter = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/metrics/NoopMeter.cjs"(exports2) {
    var NoopMeter = class {
      constructor() {
      }
      /**
      * @see {@link Meter.createGauge}
      */
      createGauge(_name, _options) {
        return NOOP_GAUGE_METRIC;
      }
      /**
      * @see {@link Meter.createHistogram}
      */
      createHistogram(_name, _options) {
        return NOOP_HISTOGRAM_METRIC;
      }
      /**
      * @see {@link Meter.createCounter}
      */
      createCounter(_name, _options) {
        return NOOP_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createUpDownCounter}
      */
      createUpDownCounter(_name, _options) {
        return NOOP_UP_DOWN_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createObservableGauge}
      */
      createObservableGauge(_name, _options) {
        return NOOP_OBSERVABLE_GAUGE_METRIC;
      }
      /**
      * @see {@link Meter.createObservableCounter}
      */
      createObservableCounter(_name, _options) {
        return NOOP_OBSERVABLE_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createObservableUpDownCounter}
      */
      createObservableUpDownCounter(_name, _options) {
        return NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.addBatchObservableCallback}
      */
      addBatchObservableCallback(_callback, _observables) {
      }
      /**
      * @see {@link Meter.removeBatchObservableCallback}
      */
      removeBatchObservableCallback(_callback) {
      }
    }, NoopMetric = class {
    }, NoopCounterMetric = class extends NoopMetric {
      add(_value, _attributes) {
      }
    }, NoopUpDownCounterMetric = class extends NoopMetric {
      add(_value, _attributes) {
      }
    }, NoopGaugeMetric = class extends NoopMetric {
      record(_value, _attributes) {
      }
    }, NoopHistogramMetric = class extends NoopMetric {
      record(_value, _attributes) {
      }
    }, NoopObservableMetric = class {
      addCallback(_callback) {
      }
      removeCallback(_callback) {
      }
    }, NoopObservableCounterMetric = class extends NoopObservableMetric {
    }, NoopObservableGaugeMetric = class extends NoopObservableMetric {
    }, NoopObservableUpDownCounterMetric = class extends NoopObservableMetric {
    }, NOOP_METER = new NoopMeter(), NOOP_COUNTER_METRIC = new NoopCounterMetric(), NOOP_GAUGE_METRIC = new NoopGaugeMetric(), NOOP_HISTOGRAM_METRIC = new NoopHistogramMetric(), NOOP_UP_DOWN_COUNTER_METRIC = new NoopUpDownCounterMetric(), NOOP_OBSERVABLE_COUNTER_METRIC = new NoopObservableCounterMetric(), NOOP_OBSERVABLE_GAUGE_METRIC = new NoopObservableGaugeMetric(), NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC = new NoopObservableUpDownCounterMetric();
    function createNoopMeter() {
      return NOOP_METER;
    }
    exports2.NOOP_COUNTER_METRIC = NOOP_COUNTER_METRIC;
    exports2.NOOP_GAUGE_METRIC = NOOP_GAUGE_METRIC;
    exports2.NOOP_HISTOGRAM_METRIC = NOOP_HISTOGRAM_METRIC;
    exports2.NOOP_METER = NOOP_METER;
    exports2.NOOP_OBSERVABLE_COUNTER_METRIC = NOOP_OBSERVABLE_COUNTER_METRIC;
    exports2.NOOP_OBSERVABLE_GAUGE_METRIC = NOOP_OBSERVABLE_GAUGE_METRIC;
    exports2.NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC = NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC;
    exports2.NOOP_UP_DOWN_COUNTER_METRIC = NOOP_UP_DOWN_COUNTER_METRIC;
    exports2.NoopCounterMetric = NoopCounterMetric;
    exports2.NoopGaugeMetric = NoopGaugeMetric;
    exports2.NoopHistogramMetric = NoopHistogramMetric;
    exports2.NoopMeter = NoopMeter;
    exports2.NoopMetric = NoopMetric;
    exports2.NoopObservableCounterMetric = NoopObservableCounterMetric;
    exports2.NoopObservableGaugeMetric = NoopObservableGaugeMetric;
    exports2.NoopObservableMetric = NoopObservableMetric;
    exports2.NoopObservableUpDownCounterMetric = NoopObservableUpDownCounterMetric;
    exports2.NoopUpDownCounterMetric = NoopUpDownCounterMetric;
    exports2.createNoopMeter = createNoopMeter;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/metrics/Metric.cjs
var require_Metric = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/metrics/Metric.cjs"(exports2) {
    var ValueType = /* @__PURE__ */ (function(ValueType2) {
      return ValueType2[ValueType2.INT = 0] = "INT", ValueType2[ValueType2.DOUBLE = 1] = "DOUBLE", ValueType2;
    })({});
    exports2.ValueType = ValueType;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs/NoopLogger.cjs
var require_NoopLogger = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs/NoopLogger.cjs"(exports2) {
    var NoopLogger = class {
      emit(_logRecord) {
      }
      enabled() {
        return !1;
      }
    }, NOOP_LOGGER = new NoopLogger();
    function createNoopLogger() {
      return NOOP_LOGGER;
    }
    exports2.NOOP_LOGGER = NOOP_LOGGER;
    exports2.NoopLogger = NoopLogger;
    exports2.createNoopLogger = createNoopLogger;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs/LogRecord.cjs
var require_LogRecord = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs/LogRecord.cjs"(exports2) {
    var SeverityNumber = /* @__PURE__ */ (function(SeverityNumber2) {
      return SeverityNumber2[SeverityNumber2.UNSPECIFIED = 0] = "UNSPECIFIED", SeverityNumber2[SeverityNumber2.TRACE = 1] = "TRACE", SeverityNumber2[SeverityNumber2.TRACE2 = 2] = "TRACE2", SeverityNumber2[SeverityNumber2.TRACE3 = 3] = "TRACE3", SeverityNumber2[SeverityNumber2.TRACE4 = 4] = "TRACE4", SeverityNumber2[SeverityNumber2.DEBUG = 5] = "DEBUG", SeverityNumber2[SeverityNumber2.DEBUG2 = 6] = "DEBUG2", SeverityNumber2[SeverityNumber2.DEBUG3 = 7] = "DEBUG3", SeverityNumber2[SeverityNumber2.DEBUG4 = 8] = "DEBUG4", SeverityNumber2[SeverityNumber2.INFO = 9] = "INFO", SeverityNumber2[SeverityNumber2.INFO2 = 10] = "INFO2", SeverityNumber2[SeverityNumber2.INFO3 = 11] = "INFO3", SeverityNumber2[SeverityNumber2.INFO4 = 12] = "INFO4", SeverityNumber2[SeverityNumber2.WARN = 13] = "WARN", SeverityNumber2[SeverityNumber2.WARN2 = 14] = "WARN2", SeverityNumber2[SeverityNumber2.WARN3 = 15] = "WARN3", SeverityNumber2[SeverityNumber2.WARN4 = 16] = "WARN4", SeverityNumber2[SeverityNumber2.ERROR = 17] = "ERROR", SeverityNumber2[SeverityNumber2.ERROR2 = 18] = "ERROR2", SeverityNumber2[SeverityNumber2.ERROR3 = 19] = "ERROR3", SeverityNumber2[SeverityNumber2.ERROR4 = 20] = "ERROR4", SeverityNumber2[SeverityNumber2.FATAL = 21] = "FATAL", SeverityNumber2[SeverityNumber2.FATAL2 = 22] = "FATAL2", SeverityNumber2[SeverityNumber2.FATAL3 = 23] = "FATAL3", SeverityNumber2[SeverityNumber2.FATAL4 = 24] = "FATAL4", SeverityNumber2;
    })({});
    exports2.SeverityNumber = SeverityNumber;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/propagation/TextMapPropagator.cjs
var require_TextMapPropagator = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/propagation/TextMapPropagator.cjs"(exports2) {
    var defaultTextMapGetter = {
      get(carrier, key) {
        if (carrier != null)
          return carrier[key];
      },
      keys(carrier) {
        return carrier == null ? [] : Object.keys(carrier);
      }
    }, defaultTextMapSetter = { set(carrier, key, value) {
      carrier != null && (carrier[key] = value);
    } };
    exports2.defaultTextMapGetter = defaultTextMapGetter;
    exports2.defaultTextMapSetter = defaultTextMapSetter;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/trace_flags.cjs
var require_trace_flags = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/trace_flags.cjs"(exports2) {
    var TraceFlags = /* @__PURE__ */ (function(TraceFlags2) {
      return TraceFlags2[TraceFlags2.NONE = 0] = "NONE", TraceFlags2[TraceFlags2.SAMPLED = 1] = "SAMPLED", TraceFlags2;
    })({});
    exports2.TraceFlags = TraceFlags;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/invalid-span-constants.cjs
var require_invalid_span_constants = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/invalid-span-constants.cjs"(exports2) {
    require_trace_flags();
    var INVALID_SPANID = "0000000000000000", INVALID_TRACEID = "00000000000000000000000000000000", INVALID_SPAN_CONTEXT = {
      traceId: INVALID_TRACEID,
      spanId: INVALID_SPANID,
      traceFlags: 0
    };
    exports2.INVALID_SPANID = INVALID_SPANID;
    exports2.INVALID_SPAN_CONTEXT = INVALID_SPAN_CONTEXT;
    exports2.INVALID_TRACEID = INVALID_TRACEID;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/NonRecordingSpan.cjs
var require_NonRecordingSpan = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/NonRecordingSpan.cjs"(exports2) {
    var require_invalid_span_constants2 = require_invalid_span_constants(), NonRecordingSpan = class {
      constructor(spanContext = require_invalid_span_constants2.INVALID_SPAN_CONTEXT) {
        this._spanContext = spanContext;
      }
      spanContext() {
        return this._spanContext;
      }
      setAttribute(_key, _value) {
        return this;
      }
      setAttributes(_attributes) {
        return this;
      }
      addEvent(_name, _attributes) {
        return this;
      }
      addLink(_link) {
        return this;
      }
      addLinks(_links) {
        return this;
      }
      setStatus(_status) {
        return this;
      }
      updateName(_name) {
        return this;
      }
      end(_endTime) {
      }
      isRecording() {
        return !1;
      }
      recordException(_exception, _time) {
      }
    };
    exports2.NonRecordingSpan = NonRecordingSpan;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/spancontext-utils.cjs
var require_spancontext_utils = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/spancontext-utils.cjs"(exports2) {
    require_invalid_span_constants();
    var require_NonRecordingSpan2 = require_NonRecordingSpan(), isHex = new Uint8Array([
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1
    ]);
    function isValidHex(id, length) {
      if (typeof id != "string" || id.length !== length) return !1;
      let r = 0;
      for (let i = 0; i < id.length; i += 4) r += (isHex[id.charCodeAt(i)] | 0) + (isHex[id.charCodeAt(i + 1)] | 0) + (isHex[id.charCodeAt(i + 2)] | 0) + (isHex[id.charCodeAt(i + 3)] | 0);
      return r === length;
    }
    function isValidTraceId(traceId) {
      return isValidHex(traceId, 32) && traceId !== "00000000000000000000000000000000";
    }
    function isValidSpanId(spanId) {
      return isValidHex(spanId, 16) && spanId !== "0000000000000000";
    }
    function isSpanContextValid(spanContext) {
      return isValidTraceId(spanContext.traceId) && isValidSpanId(spanContext.spanId);
    }
    function wrapSpanContext(spanContext) {
      return new require_NonRecordingSpan2.NonRecordingSpan(spanContext);
    }
    exports2.isSpanContextValid = isSpanContextValid;
    exports2.isValidSpanId = isValidSpanId;
    exports2.isValidTraceId = isValidTraceId;
    exports2.wrapSpanContext = wrapSpanContext;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/context/NoopContextManager.cjs
var require_NoopContextManager = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/context/NoopContextManager.cjs"(exports2) {
    var require_context3 = require_context(), NoopContextManager = class {
      active() {
        return require_context3.ROOT_CONTEXT;
      }
      with(_context, fn, thisArg, ...args) {
        return fn.call(thisArg, ...args);
      }
      bind(_context, target) {
        return target;
      }
      enable() {
        return this;
      }
      disable() {
        return this;
      }
      /** @experimental This API is experimental and may change in minor releases without prior notice. */
      attach(_context) {
        return { dispose() {
        } };
      }
    };
    exports2.NoopContextManager = NoopContextManager;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/context.cjs
var require_context2 = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/context.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_diag2 = require_diag(), require_NoopContextManager2 = require_NoopContextManager(), API_NAME = "context", NOOP_CONTEXT_MANAGER = new require_NoopContextManager2.NoopContextManager(), NOOP_TOKEN = Object.freeze({ dispose: () => {
    } }), ContextAPI = class ContextAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._attachUnsupportedWarned = !1;
      }
      /** Get the singleton instance of the Context API */
      static getInstance() {
        return this._instance || (this._instance = new ContextAPI2()), this._instance;
      }
      /**
      * Set the current context manager.
      *
      * @returns true if the context manager was successfully registered, else false
      */
      setGlobalContextManager(contextManager) {
        return require_global_utils2.registerGlobal(API_NAME, contextManager, require_diag2.DiagAPI.instance());
      }
      /**
      * Get the currently active context
      */
      active() {
        return this._getContextManager().active();
      }
      /**
      * Execute a function with an active context
      *
      * @param context context to be active during function execution
      * @param fn function to execute in a context
      * @param thisArg optional receiver to be used for calling fn
      * @param args optional arguments forwarded to fn
      */
      with(context, fn, thisArg, ...args) {
        return this._getContextManager().with(context, fn, thisArg, ...args);
      }
      /**
      * Bind a context to a target function or event emitter
      *
      * @param context context to bind to the event emitter or function. Defaults to the currently active context
      * @param target function or event emitter to bind
      */
      bind(context, target) {
        return this._getContextManager().bind(context, target);
      }
      /**
      * Imperatively sets `context` as active, returning a {@link ContextManagementToken} whose
      * {@link ContextManagementToken.dispose} restores the previous context.
      *
      * This is a delicate, low-level API - prefer {@link with}/{@link bind}, which
      * restore context automatically. Use `attach` only to bridge callback
      * boundaries that `with` cannot wrap. Call `token.dispose()` when the
      * operation is done.
      *
      * **Caveat for async functions:** If called inside an async function before
      * the first `await`, the context change may leak into the caller's context
      * and remain active there. Prefer {@link with} for async code.
      *
      * Support is best-effort and varies by the active ContextManager (see
      * {@link ContextManager.attach}); if it does not implement `attach`, this logs
      * a warning and returns a no-op token.
      *
      * @param context The Context to attach
      * @returns A {@link ContextManagementToken} whose dispose() restores the previous Context
      * @since 1.10.0
      * @experimental This API is experimental and may change in minor releases without prior notice.
      */
      attach(context) {
        let contextManager = this._getContextManager();
        return contextManager.attach ? contextManager.attach(context) : (this._attachUnsupportedWarned || (this._attachUnsupportedWarned = !0, require_diag2.DiagAPI.instance().warn("The current ContextManager does not implement attach(). The context will not be attached. Use a ContextManager that supports attach() (e.g. AsyncLocalStorageContextManager) or use with()/bind() instead.")), NOOP_TOKEN);
      }
      _getContextManager() {
        return require_global_utils2.getGlobal(API_NAME) || NOOP_CONTEXT_MANAGER;
      }
      /** Disable and remove the global context manager */
      disable() {
        this._getContextManager().disable(), require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
    };
    exports2.ContextAPI = ContextAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/context-utils.cjs
var require_context_utils = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/context-utils.cjs"(exports2) {
    var require_context3 = require_context(), require_context$1 = require_context2(), require_NonRecordingSpan2 = require_NonRecordingSpan(), SPAN_KEY = require_context3.createContextKey("OpenTelemetry Context Key SPAN");
    function getSpan(context) {
      return context.getValue(SPAN_KEY) || void 0;
    }
    function getActiveSpan() {
      return getSpan(require_context$1.ContextAPI.getInstance().active());
    }
    function setSpan(context, span) {
      return context.setValue(SPAN_KEY, span);
    }
    function deleteSpan(context) {
      return context.deleteValue(SPAN_KEY);
    }
    function setSpanContext(context, spanContext) {
      return setSpan(context, new require_NonRecordingSpan2.NonRecordingSpan(spanContext));
    }
    function getSpanContext(context) {
      var _getSpan;
      return (_getSpan = getSpan(context)) === null || _getSpan === void 0 ? void 0 : _getSpan.spanContext();
    }
    exports2.deleteSpan = deleteSpan;
    exports2.getActiveSpan = getActiveSpan;
    exports2.getSpan = getSpan;
    exports2.getSpanContext = getSpanContext;
    exports2.setSpan = setSpan;
    exports2.setSpanContext = setSpanContext;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/NoopTracer.cjs
var require_NoopTracer = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/NoopTracer.cjs"(exports2) {
    var require_context3 = require_context2(), require_NonRecordingSpan2 = require_NonRecordingSpan(), require_context_utils2 = require_context_utils(), require_spancontext_utils2 = require_spancontext_utils(), contextApi = require_context3.ContextAPI.getInstance(), NoopTracer = class {
      startSpan(name, options, context = contextApi.active()) {
        if (options?.root) return new require_NonRecordingSpan2.NonRecordingSpan();
        let parentFromContext = context && require_context_utils2.getSpanContext(context);
        return isSpanContext(parentFromContext) && require_spancontext_utils2.isSpanContextValid(parentFromContext) ? new require_NonRecordingSpan2.NonRecordingSpan(parentFromContext) : new require_NonRecordingSpan2.NonRecordingSpan();
      }
      startActiveSpan(name, arg2, arg3, arg4) {
        var _ctx;
        let opts, ctx, fn;
        if (arguments.length < 2) return;
        arguments.length === 2 ? fn = arg2 : arguments.length === 3 ? (opts = arg2, fn = arg3) : (opts = arg2, ctx = arg3, fn = arg4);
        let parentContext = (_ctx = ctx) !== null && _ctx !== void 0 ? _ctx : contextApi.active(), span = this.startSpan(name, opts, parentContext), contextWithSpanSet = require_context_utils2.setSpan(parentContext, span);
        return contextApi.with(contextWithSpanSet, fn, void 0, span);
      }
    };
    function isSpanContext(spanContext) {
      return spanContext !== null && typeof spanContext == "object" && "spanId" in spanContext && typeof spanContext.spanId == "string" && "traceId" in spanContext && typeof spanContext.traceId == "string" && "traceFlags" in spanContext && typeof spanContext.traceFlags == "number";
    }
    exports2.NoopTracer = NoopTracer;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/ProxyTracer.cjs
var require_ProxyTracer = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/ProxyTracer.cjs"(exports2) {
    var NOOP_TRACER = new (require_NoopTracer()).NoopTracer(), ProxyTracer = class {
      constructor(provider, name, version, options) {
        this._provider = provider, this.name = name, this.version = version, this.options = options;
      }
      startSpan(name, options, context) {
        return this._getTracer().startSpan(name, options, context);
      }
      startActiveSpan(_name, _options, _context, _fn) {
        let tracer = this._getTracer();
        return Reflect.apply(tracer.startActiveSpan, tracer, arguments);
      }
      /**
      * Try to get a tracer from the proxy tracer provider.
      * If the proxy tracer provider has no delegate, return a noop tracer.
      */
      _getTracer() {
        if (this._delegate) return this._delegate;
        let tracer = this._provider.getDelegateTracer(this.name, this.version, this.options);
        return tracer ? (this._delegate = tracer, this._delegate) : NOOP_TRACER;
      }
    };
    exports2.ProxyTracer = ProxyTracer;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/span_kind.cjs
var require_span_kind = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/span_kind.cjs"(exports2) {
    var SpanKind = /* @__PURE__ */ (function(SpanKind2) {
      return SpanKind2[SpanKind2.INTERNAL = 0] = "INTERNAL", SpanKind2[SpanKind2.SERVER = 1] = "SERVER", SpanKind2[SpanKind2.CLIENT = 2] = "CLIENT", SpanKind2[SpanKind2.PRODUCER = 3] = "PRODUCER", SpanKind2[SpanKind2.CONSUMER = 4] = "CONSUMER", SpanKind2;
    })({});
    exports2.SpanKind = SpanKind;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/status.cjs
var require_status = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/status.cjs"(exports2) {
    var SpanStatusCode = /* @__PURE__ */ (function(SpanStatusCode2) {
      return SpanStatusCode2[SpanStatusCode2.UNSET = 0] = "UNSET", SpanStatusCode2[SpanStatusCode2.OK = 1] = "OK", SpanStatusCode2[SpanStatusCode2.ERROR = 2] = "ERROR", SpanStatusCode2;
    })({});
    exports2.SpanStatusCode = SpanStatusCode;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/internal/tracestate-validators.cjs
var require_tracestate_validators = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/internal/tracestate-validators.cjs"(exports2) {
    var VALID_KEY_CHAR_RANGE = "[_0-9a-z-*/]", VALID_KEY_REGEX = new RegExp(`^(?:${`[a-z]${VALID_KEY_CHAR_RANGE}{0,255}`}|${`[a-z0-9]${VALID_KEY_CHAR_RANGE}{0,240}@[a-z]${VALID_KEY_CHAR_RANGE}{0,13}`})$`), VALID_VALUE_BASE_REGEX = /^[ -~]{0,255}[!-~]$/, INVALID_VALUE_COMMA_EQUAL_REGEX = /,|=/;
    function validateKey(key) {
      return VALID_KEY_REGEX.test(key);
    }
    function validateValue(value) {
      return VALID_VALUE_BASE_REGEX.test(value) && !INVALID_VALUE_COMMA_EQUAL_REGEX.test(value);
    }
    exports2.validateKey = validateKey;
    exports2.validateValue = validateValue;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/internal/tracestate-impl.cjs
var require_tracestate_impl = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/internal/tracestate-impl.cjs"(exports2) {
    var require_tracestate_validators2 = require_tracestate_validators(), MAX_TRACE_STATE_ITEMS = 32, MAX_TRACE_STATE_LEN = 512, LIST_MEMBERS_SEPARATOR = ",", LIST_MEMBER_KEY_VALUE_SPLITTER = "=", TraceStateImpl = class TraceStateImpl2 {
      constructor(rawTraceState) {
        this._internalState = /* @__PURE__ */ new Map(), rawTraceState && this._parse(rawTraceState);
      }
      set(key, value) {
        let currValue = this._internalState.get(key), newLength = this.serialize().length;
        if (typeof currValue == "string") newLength += value.length - currValue.length;
        else {
          if (this._internalState.size >= MAX_TRACE_STATE_ITEMS) return this;
          newLength += key.length + value.length + (this._internalState.size > 0 ? 2 : 1);
        }
        if (newLength > MAX_TRACE_STATE_LEN) return this;
        let traceState = this._clone();
        return traceState._internalState.has(key) && traceState._internalState.delete(key), traceState._internalState.set(key, value), traceState;
      }
      unset(key) {
        let traceState = this._clone();
        return traceState._internalState.delete(key), traceState;
      }
      get(key) {
        return this._internalState.get(key);
      }
      serialize() {
        return Array.from(this._internalState.keys()).reduceRight((agg, key) => (agg.push(key + LIST_MEMBER_KEY_VALUE_SPLITTER + this.get(key)), agg), []).join(LIST_MEMBERS_SEPARATOR);
      }
      _parse(rawTraceState) {
        rawTraceState.length > MAX_TRACE_STATE_LEN || (this._internalState = rawTraceState.split(LIST_MEMBERS_SEPARATOR).reduceRight((agg, part) => {
          let listMember = part.trim(), i = listMember.indexOf(LIST_MEMBER_KEY_VALUE_SPLITTER);
          if (i !== -1) {
            let key = listMember.slice(0, i), value = listMember.slice(i + 1, part.length);
            require_tracestate_validators2.validateKey(key) && require_tracestate_validators2.validateValue(value) && agg.set(key, value);
          }
          return agg;
        }, /* @__PURE__ */ new Map()), this._internalState.size > MAX_TRACE_STATE_ITEMS && (this._internalState = new Map(Array.from(this._internalState.entries()).reverse().slice(0, MAX_TRACE_STATE_ITEMS))));
      }
      _keys() {
        return Array.from(this._internalState.keys()).reverse();
      }
      _clone() {
        let traceState = new TraceStateImpl2();
        return traceState._internalState = new Map(this._internalState), traceState;
      }
    };
    exports2.TraceStateImpl = TraceStateImpl;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/internal/utils.cjs
var require_utils6 = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/internal/utils.cjs"(exports2) {
    var require_tracestate_impl2 = require_tracestate_impl();
    function createTraceState(rawTraceState) {
      return new require_tracestate_impl2.TraceStateImpl(rawTraceState);
    }
    exports2.createTraceState = createTraceState;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/NoopTracerProvider.cjs
var require_NoopTracerProvider = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/NoopTracerProvider.cjs"(exports2) {
    var require_NoopTracer2 = require_NoopTracer(), NoopTracerProvider = class {
      getTracer(_name, _version, _options) {
        return new require_NoopTracer2.NoopTracer();
      }
    };
    exports2.NoopTracerProvider = NoopTracerProvider;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/ProxyTracerProvider.cjs
var require_ProxyTracerProvider = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/ProxyTracerProvider.cjs"(exports2) {
    var require_ProxyTracer2 = require_ProxyTracer(), NOOP_TRACER_PROVIDER = new (require_NoopTracerProvider()).NoopTracerProvider(), ProxyTracerProvider = class {
      /**
      * Get a {@link ProxyTracer}
      */
      getTracer(name, version, options) {
        var _this$getDelegateTrac;
        return (_this$getDelegateTrac = this.getDelegateTracer(name, version, options)) !== null && _this$getDelegateTrac !== void 0 ? _this$getDelegateTrac : new require_ProxyTracer2.ProxyTracer(this, name, version, options);
      }
      getDelegate() {
        var _this$_delegate;
        return (_this$_delegate = this._delegate) !== null && _this$_delegate !== void 0 ? _this$_delegate : NOOP_TRACER_PROVIDER;
      }
      /**
      * Set the delegate tracer provider
      */
      setDelegate(delegate) {
        this._delegate = delegate;
      }
      getDelegateTracer(name, version, options) {
        var _this$_delegate2;
        return (_this$_delegate2 = this._delegate) === null || _this$_delegate2 === void 0 ? void 0 : _this$_delegate2.getTracer(name, version, options);
      }
    };
    exports2.ProxyTracerProvider = ProxyTracerProvider;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace/SamplingResult.cjs
var require_SamplingResult = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace/SamplingResult.cjs"(exports2) {
    var SamplingDecision = /* @__PURE__ */ (function(SamplingDecision2) {
      return SamplingDecision2[SamplingDecision2.NOT_RECORD = 0] = "NOT_RECORD", SamplingDecision2[SamplingDecision2.RECORD = 1] = "RECORD", SamplingDecision2[SamplingDecision2.RECORD_AND_SAMPLED = 2] = "RECORD_AND_SAMPLED", SamplingDecision2;
    })({});
    exports2.SamplingDecision = SamplingDecision;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/context-api.cjs
var require_context_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/context-api.cjs"(exports2) {
    var context = require_context2().ContextAPI.getInstance();
    exports2.context = context;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/diag-api.cjs
var require_diag_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/diag-api.cjs"(exports2) {
    var diag = require_diag().DiagAPI.instance();
    exports2.diag = diag;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs/NoopLoggerProvider.cjs
var require_NoopLoggerProvider = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs/NoopLoggerProvider.cjs"(exports2) {
    var require_NoopLogger2 = require_NoopLogger(), NoopLoggerProvider = class {
      getLogger(_name, _version, _options) {
        return new require_NoopLogger2.NoopLogger();
      }
    }, NOOP_LOGGER_PROVIDER = new NoopLoggerProvider();
    exports2.NOOP_LOGGER_PROVIDER = NOOP_LOGGER_PROVIDER;
    exports2.NoopLoggerProvider = NoopLoggerProvider;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs/ProxyLogger.cjs
var require_ProxyLogger = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs/ProxyLogger.cjs"(exports2) {
    var require_NoopLogger2 = require_NoopLogger(), ProxyLogger = class {
      constructor(provider, name, version, options) {
        this._provider = provider, this.name = name, this.version = version, this.options = options;
      }
      /**
      * Emit a log record. This method should only be used by log appenders.
      *
      * @param logRecord
      */
      emit(logRecord) {
        this._getLogger().emit(logRecord);
      }
      enabled(options) {
        return this._getLogger().enabled(options);
      }
      /**
      * Try to get a logger from the proxy logger provider.
      * If the proxy logger provider has no delegate, return a noop logger.
      */
      _getLogger() {
        if (this._delegate) return this._delegate;
        let logger = this._provider._getDelegateLogger(this.name, this.version, this.options);
        return logger ? (this._delegate = logger, this._delegate) : require_NoopLogger2.NOOP_LOGGER;
      }
    };
    exports2.ProxyLogger = ProxyLogger;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs/ProxyLoggerProvider.cjs
var require_ProxyLoggerProvider = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs/ProxyLoggerProvider.cjs"(exports2) {
    var require_NoopLoggerProvider2 = require_NoopLoggerProvider(), require_ProxyLogger2 = require_ProxyLogger(), ProxyLoggerProvider = class {
      getLogger(name, version, options) {
        var _this$_getDelegateLog;
        return (_this$_getDelegateLog = this._getDelegateLogger(name, version, options)) !== null && _this$_getDelegateLog !== void 0 ? _this$_getDelegateLog : new require_ProxyLogger2.ProxyLogger(this, name, version, options);
      }
      /**
      * Get the delegate logger provider.
      * Used by tests only.
      * @internal
      */
      _getDelegate() {
        var _this$_delegate;
        return (_this$_delegate = this._delegate) !== null && _this$_delegate !== void 0 ? _this$_delegate : require_NoopLoggerProvider2.NOOP_LOGGER_PROVIDER;
      }
      /**
      * Set the delegate logger provider
      * @internal
      */
      _setDelegate(delegate) {
        this._delegate = delegate;
      }
      /**
      * @internal
      */
      _getDelegateLogger(name, version, options) {
        var _this$_delegate2;
        return (_this$_delegate2 = this._delegate) === null || _this$_delegate2 === void 0 ? void 0 : _this$_delegate2.getLogger(name, version, options);
      }
    };
    exports2.ProxyLoggerProvider = ProxyLoggerProvider;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/logs.cjs
var require_logs = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/logs.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_diag2 = require_diag(), require_ProxyLoggerProvider2 = require_ProxyLoggerProvider(), API_NAME = "logs", LogsAPI = class LogsAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._proxyLoggerProvider = new require_ProxyLoggerProvider2.ProxyLoggerProvider();
      }
      /** Get the singleton instance of the Logs API */
      static getInstance() {
        return this._instance || (this._instance = new LogsAPI2()), this._instance;
      }
      setGlobalLoggerProvider(provider) {
        let success = require_global_utils2.registerGlobal(API_NAME, provider, require_diag2.DiagAPI.instance());
        return success && this._proxyLoggerProvider._setDelegate(provider), success;
      }
      /**
      * Returns the global logger provider.
      *
      * @returns LoggerProvider
      */
      getLoggerProvider() {
        return require_global_utils2.getGlobal(API_NAME) || this._proxyLoggerProvider;
      }
      /**
      * Returns a Logger, creating one if one with the given name, version,
      * schemaUrl, and attributes is not already created.
      *
      * Getting a Logger may be expensive, especially when `attributes` are
      * provided. Reuse Logger instances where possible instead of calling
      * `getLogger()` on hot paths.
      *
      * @param name The name of the logger or instrumentation library.
      * @param version The version of the logger or instrumentation library.
      * @param options The options of the logger or instrumentation library.
      * @returns {@link Logger}
      */
      getLogger(name, version, options) {
        return this.getLoggerProvider().getLogger(name, version, options);
      }
      /** Remove the global logger provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance()), this._proxyLoggerProvider = new require_ProxyLoggerProvider2.ProxyLoggerProvider();
      }
    };
    exports2.LogsAPI = LogsAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/logs-api.cjs
var require_logs_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/logs-api.cjs"(exports2) {
    var logs = require_logs().LogsAPI.getInstance();
    exports2.logs = logs;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/metrics/NoopMeterProvider.cjs
var require_NoopMeterProvider = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/metrics/NoopMeterProvider.cjs"(exports2) {
    var require_NoopMeter2 = require_NoopMeter(), NoopMeterProvider = class {
      getMeter(_name, _version, _options) {
        return require_NoopMeter2.NOOP_METER;
      }
    }, NOOP_METER_PROVIDER = new NoopMeterProvider();
    exports2.NOOP_METER_PROVIDER = NOOP_METER_PROVIDER;
    exports2.NoopMeterProvider = NoopMeterProvider;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/metrics.cjs
var require_metrics = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/metrics.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_diag2 = require_diag(), require_NoopMeterProvider2 = require_NoopMeterProvider(), API_NAME = "metrics", MetricsAPI = class MetricsAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
      }
      /** Get the singleton instance of the Metrics API */
      static getInstance() {
        return this._instance || (this._instance = new MetricsAPI2()), this._instance;
      }
      /**
      * Set the current global meter provider.
      * Returns true if the meter provider was successfully registered, else false.
      */
      setGlobalMeterProvider(provider) {
        return require_global_utils2.registerGlobal(API_NAME, provider, require_diag2.DiagAPI.instance());
      }
      /**
      * Returns the global meter provider.
      */
      getMeterProvider() {
        return require_global_utils2.getGlobal(API_NAME) || require_NoopMeterProvider2.NOOP_METER_PROVIDER;
      }
      /**
      * Returns a meter from the global meter provider.
      */
      getMeter(name, version, options) {
        return this.getMeterProvider().getMeter(name, version, options);
      }
      /** Remove the global meter provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
    };
    exports2.MetricsAPI = MetricsAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/metrics-api.cjs
var require_metrics_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/metrics-api.cjs"(exports2) {
    var metrics = require_metrics().MetricsAPI.getInstance();
    exports2.metrics = metrics;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/propagation/NoopTextMapPropagator.cjs
var require_NoopTextMapPropagator = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/propagation/NoopTextMapPropagator.cjs"(exports2) {
    var NoopTextMapPropagator = class {
      /** Noop inject function does nothing */
      inject(_context, _carrier) {
      }
      /** Noop extract function does nothing and returns the input context */
      extract(context, _carrier) {
        return context;
      }
      fields() {
        return [];
      }
    };
    exports2.NoopTextMapPropagator = NoopTextMapPropagator;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/baggage/context-helpers.cjs
var require_context_helpers = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/baggage/context-helpers.cjs"(exports2) {
    var require_context3 = require_context(), require_context$1 = require_context2(), BAGGAGE_KEY = require_context3.createContextKey("OpenTelemetry Baggage Key");
    function getBaggage(context) {
      return context.getValue(BAGGAGE_KEY) || void 0;
    }
    function getActiveBaggage() {
      return getBaggage(require_context$1.ContextAPI.getInstance().active());
    }
    function setBaggage(context, baggage) {
      return context.setValue(BAGGAGE_KEY, baggage);
    }
    function deleteBaggage(context) {
      return context.deleteValue(BAGGAGE_KEY);
    }
    exports2.deleteBaggage = deleteBaggage;
    exports2.getActiveBaggage = getActiveBaggage;
    exports2.getBaggage = getBaggage;
    exports2.setBaggage = setBaggage;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/propagation.cjs
var require_propagation = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/propagation.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_diag2 = require_diag(), require_utils7 = require_utils5(), require_TextMapPropagator2 = require_TextMapPropagator(), require_NoopTextMapPropagator2 = require_NoopTextMapPropagator(), require_context_helpers2 = require_context_helpers(), API_NAME = "propagation", NOOP_TEXT_MAP_PROPAGATOR = new require_NoopTextMapPropagator2.NoopTextMapPropagator(), PropagationAPI = class PropagationAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this.createBaggage = require_utils7.createBaggage, this.getBaggage = require_context_helpers2.getBaggage, this.getActiveBaggage = require_context_helpers2.getActiveBaggage, this.setBaggage = require_context_helpers2.setBaggage, this.deleteBaggage = require_context_helpers2.deleteBaggage;
      }
      /** Get the singleton instance of the Propagator API */
      static getInstance() {
        return this._instance || (this._instance = new PropagationAPI2()), this._instance;
      }
      /**
      * Set the current propagator.
      *
      * @returns true if the propagator was successfully registered, else false
      */
      setGlobalPropagator(propagator) {
        return require_global_utils2.registerGlobal(API_NAME, propagator, require_diag2.DiagAPI.instance());
      }
      /**
      * Inject context into a carrier to be propagated inter-process
      *
      * @param context Context carrying tracing data to inject
      * @param carrier carrier to inject context into
      * @param setter Function used to set values on the carrier
      */
      inject(context, carrier, setter = require_TextMapPropagator2.defaultTextMapSetter) {
        return this._getGlobalPropagator().inject(context, carrier, setter);
      }
      /**
      * Extract context from a carrier
      *
      * @param context Context which the newly created context will inherit from
      * @param carrier Carrier to extract context from
      * @param getter Function used to extract keys from a carrier
      */
      extract(context, carrier, getter = require_TextMapPropagator2.defaultTextMapGetter) {
        return this._getGlobalPropagator().extract(context, carrier, getter);
      }
      /**
      * Return a list of all fields which may be used by the propagator.
      */
      fields() {
        return this._getGlobalPropagator().fields();
      }
      /** Remove the global propagator */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
      _getGlobalPropagator() {
        return require_global_utils2.getGlobal(API_NAME) || NOOP_TEXT_MAP_PROPAGATOR;
      }
    };
    exports2.PropagationAPI = PropagationAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/propagation-api.cjs
var require_propagation_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/propagation-api.cjs"(exports2) {
    var propagation = require_propagation().PropagationAPI.getInstance();
    exports2.propagation = propagation;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/api/trace.cjs
var require_trace = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/api/trace.cjs"(exports2) {
    var require_global_utils2 = require_global_utils(), require_diag2 = require_diag(), require_context_utils2 = require_context_utils(), require_spancontext_utils2 = require_spancontext_utils(), require_ProxyTracerProvider2 = require_ProxyTracerProvider(), API_NAME = "trace", TraceAPI = class TraceAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._proxyTracerProvider = new require_ProxyTracerProvider2.ProxyTracerProvider(), this.wrapSpanContext = require_spancontext_utils2.wrapSpanContext, this.isSpanContextValid = require_spancontext_utils2.isSpanContextValid, this.deleteSpan = require_context_utils2.deleteSpan, this.getSpan = require_context_utils2.getSpan, this.getActiveSpan = require_context_utils2.getActiveSpan, this.getSpanContext = require_context_utils2.getSpanContext, this.setSpan = require_context_utils2.setSpan, this.setSpanContext = require_context_utils2.setSpanContext;
      }
      /** Get the singleton instance of the Trace API */
      static getInstance() {
        return this._instance || (this._instance = new TraceAPI2()), this._instance;
      }
      /**
      * Set the current global tracer.
      *
      * @returns true if the tracer provider was successfully registered, else false
      */
      setGlobalTracerProvider(provider) {
        let success = require_global_utils2.registerGlobal(API_NAME, this._proxyTracerProvider, require_diag2.DiagAPI.instance());
        return success && this._proxyTracerProvider.setDelegate(provider), success;
      }
      /**
      * Returns the global tracer provider.
      */
      getTracerProvider() {
        return require_global_utils2.getGlobal(API_NAME) || this._proxyTracerProvider;
      }
      /**
      * Returns a tracer from the global tracer provider.
      */
      getTracer(name, version) {
        return this.getTracerProvider().getTracer(name, version);
      }
      /** Remove the global tracer provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance()), this._proxyTracerProvider = new require_ProxyTracerProvider2.ProxyTracerProvider();
      }
    };
    exports2.TraceAPI = TraceAPI;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/trace-api.cjs
var require_trace_api = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/trace-api.cjs"(exports2) {
    var trace = require_trace().TraceAPI.getInstance();
    exports2.trace = trace;
  }
});

// ../../../node_modules/@opentelemetry/api/dist/index.cjs
var require_dist2 = __commonJS({
  "../../../node_modules/@opentelemetry/api/dist/index.cjs"(exports2) {
    Object.defineProperties(exports2, {
      __esModule: { value: !0 },
      [Symbol.toStringTag]: { value: "Module" }
    });
    var require_types2 = require_types(), require_utils7 = require_utils5(), require_context3 = require_context(), require_consoleLogger2 = require_consoleLogger(), require_NoopMeter2 = require_NoopMeter(), require_Metric2 = require_Metric(), require_NoopLogger2 = require_NoopLogger(), require_LogRecord2 = require_LogRecord(), require_TextMapPropagator2 = require_TextMapPropagator(), require_trace_flags2 = require_trace_flags(), require_invalid_span_constants2 = require_invalid_span_constants(), require_spancontext_utils2 = require_spancontext_utils(), require_ProxyTracer2 = require_ProxyTracer(), require_span_kind2 = require_span_kind(), require_status2 = require_status(), require_utils$1 = require_utils6(), require_ProxyTracerProvider2 = require_ProxyTracerProvider(), require_SamplingResult2 = require_SamplingResult(), require_context_api2 = require_context_api(), require_diag_api2 = require_diag_api(), require_logs_api2 = require_logs_api(), require_metrics_api2 = require_metrics_api(), require_propagation_api2 = require_propagation_api(), require_trace_api2 = require_trace_api(), src_default = {
      context: require_context_api2.context,
      diag: require_diag_api2.diag,
      logs: require_logs_api2.logs,
      metrics: require_metrics_api2.metrics,
      propagation: require_propagation_api2.propagation,
      trace: require_trace_api2.trace
    };
    exports2.DiagConsoleLogger = require_consoleLogger2.DiagConsoleLogger;
    exports2.DiagLogLevel = require_types2.DiagLogLevel;
    exports2.INVALID_SPANID = require_invalid_span_constants2.INVALID_SPANID;
    exports2.INVALID_SPAN_CONTEXT = require_invalid_span_constants2.INVALID_SPAN_CONTEXT;
    exports2.INVALID_TRACEID = require_invalid_span_constants2.INVALID_TRACEID;
    exports2.ProxyTracer = require_ProxyTracer2.ProxyTracer;
    exports2.ProxyTracerProvider = require_ProxyTracerProvider2.ProxyTracerProvider;
    exports2.ROOT_CONTEXT = require_context3.ROOT_CONTEXT;
    exports2.SamplingDecision = require_SamplingResult2.SamplingDecision;
    exports2.SeverityNumber = require_LogRecord2.SeverityNumber;
    exports2.SpanKind = require_span_kind2.SpanKind;
    exports2.SpanStatusCode = require_status2.SpanStatusCode;
    exports2.TraceFlags = require_trace_flags2.TraceFlags;
    exports2.ValueType = require_Metric2.ValueType;
    exports2.baggageEntryMetadataFromString = require_utils7.baggageEntryMetadataFromString;
    exports2.context = require_context_api2.context;
    exports2.createContextKey = require_context3.createContextKey;
    exports2.createNoopLogger = require_NoopLogger2.createNoopLogger;
    exports2.createNoopMeter = require_NoopMeter2.createNoopMeter;
    exports2.createTraceState = require_utils$1.createTraceState;
    exports2.default = src_default;
    exports2.defaultTextMapGetter = require_TextMapPropagator2.defaultTextMapGetter;
    exports2.defaultTextMapSetter = require_TextMapPropagator2.defaultTextMapSetter;
    exports2.diag = require_diag_api2.diag;
    exports2.isSpanContextValid = require_spancontext_utils2.isSpanContextValid;
    exports2.isValidSpanId = require_spancontext_utils2.isValidSpanId;
    exports2.isValidTraceId = require_spancontext_utils2.isValidTraceId;
    exports2.logs = require_logs_api2.logs;
    exports2.metrics = require_metrics_api2.metrics;
    exports2.propagation = require_propagation_api2.propagation;
    exports2.trace = require_trace_api2.trace;
  }
});

// ../../../node_modules/prom-client/lib/metrics/processCpuTotal.js
var require_processCpuTotal = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processCpuTotal.js"(exports2, module2) {
    "use strict";
    var OtelApi = require_dist2(), Counter2 = require_counter(), PROCESS_CPU_USER_SECONDS = "process_cpu_user_seconds_total", PROCESS_CPU_SYSTEM_SECONDS = "process_cpu_system_seconds_total", PROCESS_CPU_SECONDS = "process_cpu_seconds_total";
    module2.exports = (registry2, config = {}) => {
      let registers = registry2 ? [registry2] : void 0, namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, exemplars = config.enableExemplars ? config.enableExemplars : !1, labelNames = Object.keys(labels), lastCpuUsage = process.cpuUsage(), cpuUserUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_USER_SECONDS,
        help: "Total user CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect() {
          let cpuUsage = process.cpuUsage(), userUsageMicros = cpuUsage.user - lastCpuUsage.user, systemUsageMicros = cpuUsage.system - lastCpuUsage.system;
          if (lastCpuUsage = cpuUsage, this.enableExemplars) {
            let exemplarLabels = {}, currentSpan = OtelApi.trace.getSpan(OtelApi.context.active());
            currentSpan && (exemplarLabels = {
              traceId: currentSpan.spanContext().traceId,
              spanId: currentSpan.spanContext().spanId
            }), cpuUserUsageCounter.inc({
              labels,
              value: userUsageMicros / 1e6,
              exemplarLabels
            }), cpuSystemUsageCounter.inc({
              labels,
              value: systemUsageMicros / 1e6,
              exemplarLabels
            }), cpuUsageCounter.inc({
              labels,
              value: (userUsageMicros + systemUsageMicros) / 1e6,
              exemplarLabels
            });
          } else
            cpuUserUsageCounter.inc(labels, userUsageMicros / 1e6), cpuSystemUsageCounter.inc(labels, systemUsageMicros / 1e6), cpuUsageCounter.inc(
              labels,
              (userUsageMicros + systemUsageMicros) / 1e6
            );
        }
      }), cpuSystemUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_SYSTEM_SECONDS,
        help: "Total system CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames
      }), cpuUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_SECONDS,
        help: "Total user and system CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      PROCESS_CPU_USER_SECONDS,
      PROCESS_CPU_SYSTEM_SECONDS,
      PROCESS_CPU_SECONDS
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/processStartTime.js
var require_processStartTime = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processStartTime.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), startInSeconds = Math.round(Date.now() / 1e3 - process.uptime()), PROCESS_START_TIME = "process_start_time_seconds";
    module2.exports = (registry2, config = {}) => {
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + PROCESS_START_TIME,
        help: "Start time of the process since unix epoch in seconds.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        aggregator: "omit",
        collect() {
          this.set(labels, startInSeconds);
        }
      });
    };
    module2.exports.metricNames = [PROCESS_START_TIME];
  }
});

// ../../../node_modules/prom-client/lib/metrics/osMemoryHeapLinux.js
var require_osMemoryHeapLinux = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/osMemoryHeapLinux.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), fs = require("fs"), values = ["VmSize", "VmRSS", "VmData"], PROCESS_RESIDENT_MEMORY = "process_resident_memory_bytes", PROCESS_VIRTUAL_MEMORY = "process_virtual_memory_bytes", PROCESS_HEAP = "process_heap_bytes";
    function structureOutput(input) {
      return input.split(`
`).reduce((acc, string) => {
        if (!values.some((value2) => string.startsWith(value2)))
          return acc;
        let split = string.split(":"), value = split[1].trim();
        return value = value.substr(0, value.length - 3), value = Number(value) * 1024, acc[split[0]] = value, acc;
      }, {});
    }
    module2.exports = (registry2, config = {}) => {
      let registers = registry2 ? [registry2] : void 0, namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels), residentMemGauge = new Gauge4({
        name: namePrefix + PROCESS_RESIDENT_MEMORY,
        help: "Resident memory size in bytes.",
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect() {
          try {
            let stat = fs.readFileSync("/proc/self/status", "utf8"), structuredOutput = structureOutput(stat);
            residentMemGauge.set(labels, structuredOutput.VmRSS), virtualMemGauge.set(labels, structuredOutput.VmSize), heapSizeMemGauge.set(labels, structuredOutput.VmData);
          } catch {
          }
        }
      }), virtualMemGauge = new Gauge4({
        name: namePrefix + PROCESS_VIRTUAL_MEMORY,
        help: "Virtual memory size in bytes.",
        registers,
        labelNames
      }), heapSizeMemGauge = new Gauge4({
        name: namePrefix + PROCESS_HEAP,
        help: "Process heap size in bytes.",
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      PROCESS_RESIDENT_MEMORY,
      PROCESS_VIRTUAL_MEMORY,
      PROCESS_HEAP
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/helpers/safeMemoryUsage.js
var require_safeMemoryUsage = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/helpers/safeMemoryUsage.js"(exports2, module2) {
    "use strict";
    function safeMemoryUsage() {
      try {
        return process.memoryUsage();
      } catch {
        return;
      }
    }
    module2.exports = safeMemoryUsage;
  }
});

// ../../../node_modules/prom-client/lib/metrics/osMemoryHeap.js
var require_osMemoryHeap = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/osMemoryHeap.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), linuxVariant = require_osMemoryHeapLinux(), safeMemoryUsage = require_safeMemoryUsage(), PROCESS_RESIDENT_MEMORY = "process_resident_memory_bytes";
    function notLinuxVariant(registry2, config = {}) {
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + PROCESS_RESIDENT_MEMORY,
        help: "Resident memory size in bytes.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          let memUsage = safeMemoryUsage();
          memUsage && this.set(labels, memUsage.rss);
        }
      });
    }
    module2.exports = (registry2, config) => process.platform === "linux" ? linuxVariant(registry2, config) : notLinuxVariant(registry2, config);
    module2.exports.metricNames = process.platform === "linux" ? linuxVariant.metricNames : [PROCESS_RESIDENT_MEMORY];
  }
});

// ../../../node_modules/prom-client/lib/metrics/processOpenFileDescriptors.js
var require_processOpenFileDescriptors = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processOpenFileDescriptors.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), fs = require("fs"), process2 = require("process"), PROCESS_OPEN_FDS = "process_open_fds";
    module2.exports = (registry2, config = {}) => {
      if (process2.platform !== "linux")
        return;
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + PROCESS_OPEN_FDS,
        help: "Number of open file descriptors.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          try {
            let fds = fs.readdirSync("/proc/self/fd");
            this.set(labels, fds.length - 1);
          } catch {
          }
        }
      });
    };
    module2.exports.metricNames = [PROCESS_OPEN_FDS];
  }
});

// ../../../node_modules/prom-client/lib/metrics/processMaxFileDescriptors.js
var require_processMaxFileDescriptors = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processMaxFileDescriptors.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), fs = require("fs"), PROCESS_MAX_FDS = "process_max_fds", maxFds;
    module2.exports = (registry2, config = {}) => {
      if (maxFds === void 0)
        try {
          let lines = fs.readFileSync("/proc/self/limits", "utf8").split(`
`);
          for (let line of lines)
            if (line.startsWith("Max open files")) {
              let parts = line.split(/  +/);
              maxFds = Number(parts[1]);
              break;
            }
        } catch {
          return;
        }
      if (maxFds === void 0) return;
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + PROCESS_MAX_FDS,
        help: "Maximum number of open file descriptors.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          maxFds !== void 0 && this.set(labels, maxFds);
        }
      });
    };
    module2.exports.metricNames = [PROCESS_MAX_FDS];
  }
});

// ../../../node_modules/prom-client/lib/metrics/eventLoopLag.js
var require_eventLoopLag = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/eventLoopLag.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), perf_hooks;
    try {
      perf_hooks = require("perf_hooks");
    } catch {
    }
    var NODEJS_EVENTLOOP_LAG = "nodejs_eventloop_lag_seconds", NODEJS_EVENTLOOP_LAG_MIN = "nodejs_eventloop_lag_min_seconds", NODEJS_EVENTLOOP_LAG_MAX = "nodejs_eventloop_lag_max_seconds", NODEJS_EVENTLOOP_LAG_MEAN = "nodejs_eventloop_lag_mean_seconds", NODEJS_EVENTLOOP_LAG_STDDEV = "nodejs_eventloop_lag_stddev_seconds", NODEJS_EVENTLOOP_LAG_P50 = "nodejs_eventloop_lag_p50_seconds", NODEJS_EVENTLOOP_LAG_P90 = "nodejs_eventloop_lag_p90_seconds", NODEJS_EVENTLOOP_LAG_P99 = "nodejs_eventloop_lag_p99_seconds";
    function reportEventloopLag(start2, gauge, labels) {
      let delta = process.hrtime(start2), seconds = (delta[0] * 1e9 + delta[1]) / 1e9;
      gauge.set(labels, seconds);
    }
    module2.exports = (registry2, config = {}) => {
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels), registers = registry2 ? [registry2] : void 0, collect = () => {
        let start2 = process.hrtime();
        setImmediate(reportEventloopLag, start2, lag, labels);
      };
      if (perf_hooks && perf_hooks.monitorEventLoopDelay)
        try {
          let histogram = perf_hooks.monitorEventLoopDelay({
            resolution: config.eventLoopMonitoringPrecision
          });
          histogram.enable(), collect = () => {
            let start2 = process.hrtime();
            setImmediate(reportEventloopLag, start2, lag, labels), lagMin.set(labels, histogram.min / 1e9), lagMax.set(labels, histogram.max / 1e9), lagMean.set(labels, histogram.mean / 1e9), lagStddev.set(labels, histogram.stddev / 1e9), lagP50.set(labels, histogram.percentile(50) / 1e9), lagP90.set(labels, histogram.percentile(90) / 1e9), lagP99.set(labels, histogram.percentile(99) / 1e9), histogram.reset();
          };
        } catch (e) {
          if (e.code === "ERR_NOT_IMPLEMENTED")
            return;
          throw e;
        }
      let lag = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG,
        help: "Lag of event loop in seconds.",
        registers,
        labelNames,
        aggregator: "average",
        // Use this one metric's `collect` to set all metrics' values.
        collect
      }), lagMin = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MIN,
        help: "The minimum recorded event loop delay.",
        registers,
        labelNames,
        aggregator: "min"
      }), lagMax = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MAX,
        help: "The maximum recorded event loop delay.",
        registers,
        labelNames,
        aggregator: "max"
      }), lagMean = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MEAN,
        help: "The mean of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      }), lagStddev = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_STDDEV,
        help: "The standard deviation of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      }), lagP50 = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P50,
        help: "The 50th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      }), lagP90 = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P90,
        help: "The 90th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      }), lagP99 = new Gauge4({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P99,
        help: "The 99th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
    };
    module2.exports.metricNames = [
      NODEJS_EVENTLOOP_LAG,
      NODEJS_EVENTLOOP_LAG_MIN,
      NODEJS_EVENTLOOP_LAG_MAX,
      NODEJS_EVENTLOOP_LAG_MEAN,
      NODEJS_EVENTLOOP_LAG_STDDEV,
      NODEJS_EVENTLOOP_LAG_P50,
      NODEJS_EVENTLOOP_LAG_P90,
      NODEJS_EVENTLOOP_LAG_P99
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/helpers/processMetricsHelpers.js
var require_processMetricsHelpers = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/helpers/processMetricsHelpers.js"(exports2, module2) {
    "use strict";
    function aggregateByObjectName(list) {
      let data = {};
      for (let i = 0; i < list.length; i++) {
        let listElement = list[i];
        !listElement || typeof listElement.constructor > "u" || (Object.hasOwnProperty.call(data, listElement.constructor.name) ? data[listElement.constructor.name] += 1 : data[listElement.constructor.name] = 1);
      }
      return data;
    }
    function updateMetrics(gauge, data, labels) {
      gauge.reset();
      for (let key in data)
        gauge.set(Object.assign({ type: key }, labels || {}), data[key]);
    }
    module2.exports = {
      aggregateByObjectName,
      updateMetrics
    };
  }
});

// ../../../node_modules/prom-client/lib/metrics/processHandles.js
var require_processHandles = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processHandles.js"(exports2, module2) {
    "use strict";
    var { aggregateByObjectName } = require_processMetricsHelpers(), { updateMetrics } = require_processMetricsHelpers(), Gauge4 = require_gauge(), NODEJS_ACTIVE_HANDLES = "nodejs_active_handles", NODEJS_ACTIVE_HANDLES_TOTAL = "nodejs_active_handles_total";
    module2.exports = (registry2, config = {}) => {
      if (typeof process._getActiveHandles != "function")
        return;
      let registers = registry2 ? [registry2] : void 0, namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_HANDLES,
        help: "Number of active libuv handles grouped by handle type. Every handle type is C++ class name.",
        labelNames: ["type", ...labelNames],
        registers,
        collect() {
          let handles = process._getActiveHandles();
          updateMetrics(this, aggregateByObjectName(handles), labels);
        }
      }), new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_HANDLES_TOTAL,
        help: "Total number of active handles.",
        registers,
        labelNames,
        collect() {
          let handles = process._getActiveHandles();
          this.set(labels, handles.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_HANDLES,
      NODEJS_ACTIVE_HANDLES_TOTAL
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/processRequests.js
var require_processRequests = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processRequests.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), { aggregateByObjectName } = require_processMetricsHelpers(), { updateMetrics } = require_processMetricsHelpers(), NODEJS_ACTIVE_REQUESTS = "nodejs_active_requests", NODEJS_ACTIVE_REQUESTS_TOTAL = "nodejs_active_requests_total";
    module2.exports = (registry2, config = {}) => {
      if (typeof process._getActiveRequests != "function")
        return;
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_REQUESTS,
        help: "Number of active libuv requests grouped by request type. Every request type is C++ class name.",
        labelNames: ["type", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        collect() {
          let requests = process._getActiveRequests();
          updateMetrics(this, aggregateByObjectName(requests), labels);
        }
      }), new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_REQUESTS_TOTAL,
        help: "Total number of active requests.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          let requests = process._getActiveRequests();
          this.set(labels, requests.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_REQUESTS,
      NODEJS_ACTIVE_REQUESTS_TOTAL
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/processResources.js
var require_processResources = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/processResources.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), { updateMetrics } = require_processMetricsHelpers(), NODEJS_ACTIVE_RESOURCES = "nodejs_active_resources", NODEJS_ACTIVE_RESOURCES_TOTAL = "nodejs_active_resources_total";
    module2.exports = (registry2, config = {}) => {
      if (typeof process.getActiveResourcesInfo != "function")
        return;
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_RESOURCES,
        help: "Number of active resources that are currently keeping the event loop alive, grouped by async resource type.",
        labelNames: ["type", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        collect() {
          let resources = process.getActiveResourcesInfo(), data = {};
          for (let i = 0; i < resources.length; i++) {
            let resource = resources[i];
            Object.hasOwn(data, resource) ? data[resource] += 1 : data[resource] = 1;
          }
          updateMetrics(this, data, labels);
        }
      }), new Gauge4({
        name: namePrefix + NODEJS_ACTIVE_RESOURCES_TOTAL,
        help: "Total number of active resources.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          let resources = process.getActiveResourcesInfo();
          this.set(labels, resources.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_RESOURCES,
      NODEJS_ACTIVE_RESOURCES_TOTAL
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/heapSizeAndUsed.js
var require_heapSizeAndUsed = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/heapSizeAndUsed.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), safeMemoryUsage = require_safeMemoryUsage(), NODEJS_HEAP_SIZE_TOTAL = "nodejs_heap_size_total_bytes", NODEJS_HEAP_SIZE_USED = "nodejs_heap_size_used_bytes", NODEJS_EXTERNAL_MEMORY = "nodejs_external_memory_bytes";
    module2.exports = (registry2, config = {}) => {
      if (typeof process.memoryUsage != "function")
        return;
      let labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels), registers = registry2 ? [registry2] : void 0, namePrefix = config.prefix ? config.prefix : "", collect = () => {
        let memUsage = safeMemoryUsage();
        memUsage && (heapSizeTotal.set(labels, memUsage.heapTotal), heapSizeUsed.set(labels, memUsage.heapUsed), memUsage.external !== void 0 && externalMemUsed.set(labels, memUsage.external));
      }, heapSizeTotal = new Gauge4({
        name: namePrefix + NODEJS_HEAP_SIZE_TOTAL,
        help: "Process heap size from Node.js in bytes.",
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect
      }), heapSizeUsed = new Gauge4({
        name: namePrefix + NODEJS_HEAP_SIZE_USED,
        help: "Process heap size used from Node.js in bytes.",
        registers,
        labelNames
      }), externalMemUsed = new Gauge4({
        name: namePrefix + NODEJS_EXTERNAL_MEMORY,
        help: "Node.js external memory size in bytes.",
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      NODEJS_HEAP_SIZE_TOTAL,
      NODEJS_HEAP_SIZE_USED,
      NODEJS_EXTERNAL_MEMORY
    ];
  }
});

// ../../../node_modules/prom-client/lib/metrics/heapSpacesSizeAndUsed.js
var require_heapSpacesSizeAndUsed = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/heapSpacesSizeAndUsed.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), v8 = require("v8"), METRICS = ["total", "used", "available"], NODEJS_HEAP_SIZE = {};
    METRICS.forEach((metricType) => {
      NODEJS_HEAP_SIZE[metricType] = `nodejs_heap_space_size_${metricType}_bytes`;
    });
    module2.exports = (registry2, config = {}) => {
      try {
        v8.getHeapSpaceStatistics();
      } catch (e) {
        if (e.code === "ERR_NOT_IMPLEMENTED")
          return;
        throw e;
      }
      let registers = registry2 ? [registry2] : void 0, namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = ["space", ...Object.keys(labels)], gauges = {};
      METRICS.forEach((metricType) => {
        gauges[metricType] = new Gauge4({
          name: namePrefix + NODEJS_HEAP_SIZE[metricType],
          help: `Process heap space size ${metricType} from Node.js in bytes.`,
          labelNames,
          registers
        });
      }), gauges.total.collect = () => {
        for (let space of v8.getHeapSpaceStatistics()) {
          let spaceName = space.space_name.substr(
            0,
            space.space_name.indexOf("_space")
          );
          gauges.total.set({ space: spaceName, ...labels }, space.space_size), gauges.used.set({ space: spaceName, ...labels }, space.space_used_size), gauges.available.set(
            { space: spaceName, ...labels },
            space.space_available_size
          );
        }
      };
    };
    module2.exports.metricNames = Object.values(NODEJS_HEAP_SIZE);
  }
});

// ../../../node_modules/prom-client/lib/metrics/version.js
var require_version2 = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/version.js"(exports2, module2) {
    "use strict";
    var Gauge4 = require_gauge(), version = process.version, versionSegments = version.slice(1).split(".").map(Number), NODE_VERSION_INFO = "nodejs_version_info";
    module2.exports = (registry2, config = {}) => {
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels);
      new Gauge4({
        name: namePrefix + NODE_VERSION_INFO,
        help: "Node.js version info.",
        labelNames: ["version", "major", "minor", "patch", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        aggregator: "first",
        collect() {
          this.labels(
            version,
            versionSegments[0],
            versionSegments[1],
            versionSegments[2],
            ...Object.values(labels)
          ).set(1);
        }
      });
    };
    module2.exports.metricNames = [NODE_VERSION_INFO];
  }
});

// ../../../node_modules/prom-client/lib/metrics/gc.js
var require_gc = __commonJS({
  "../../../node_modules/prom-client/lib/metrics/gc.js"(exports2, module2) {
    "use strict";
    var Histogram2 = require_histogram(), perf_hooks;
    try {
      perf_hooks = require("perf_hooks");
    } catch {
    }
    var NODEJS_GC_DURATION_SECONDS = "nodejs_gc_duration_seconds", DEFAULT_GC_DURATION_BUCKETS = [1e-3, 0.01, 0.1, 1, 2, 5], kinds = [];
    perf_hooks && perf_hooks.constants && (kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_MAJOR] = "major", kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_MINOR] = "minor", kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_INCREMENTAL] = "incremental", kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_WEAKCB] = "weakcb");
    module2.exports = (registry2, config = {}) => {
      if (!perf_hooks)
        return;
      let namePrefix = config.prefix ? config.prefix : "", labels = config.labels ? config.labels : {}, labelNames = Object.keys(labels), buckets = config.gcDurationBuckets ? config.gcDurationBuckets : DEFAULT_GC_DURATION_BUCKETS, gcHistogram = new Histogram2({
        name: namePrefix + NODEJS_GC_DURATION_SECONDS,
        help: "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
        labelNames: ["kind", ...labelNames],
        enableExemplars: !1,
        buckets,
        registers: registry2 ? [registry2] : void 0
      });
      new perf_hooks.PerformanceObserver((list) => {
        let entry = list.getEntries()[0], kind = entry.detail ? kinds[entry.detail.kind] : kinds[entry.kind];
        gcHistogram.observe(Object.assign({ kind }, labels), entry.duration / 1e3);
      }).observe({ entryTypes: ["gc"] });
    };
    module2.exports.metricNames = [NODEJS_GC_DURATION_SECONDS];
  }
});

// ../../../node_modules/prom-client/lib/defaultMetrics.js
var require_defaultMetrics = __commonJS({
  "../../../node_modules/prom-client/lib/defaultMetrics.js"(exports2, module2) {
    "use strict";
    var { isObject } = require_util2(), processCpuTotal = require_processCpuTotal(), processStartTime = require_processStartTime(), osMemoryHeap = require_osMemoryHeap(), processOpenFileDescriptors = require_processOpenFileDescriptors(), processMaxFileDescriptors = require_processMaxFileDescriptors(), eventLoopLag = require_eventLoopLag(), processHandles = require_processHandles(), processRequests = require_processRequests(), processResources = require_processResources(), heapSizeAndUsed = require_heapSizeAndUsed(), heapSpacesSizeAndUsed = require_heapSpacesSizeAndUsed(), version = require_version2(), gc = require_gc(), metrics = {
      processCpuTotal,
      processStartTime,
      osMemoryHeap,
      processOpenFileDescriptors,
      processMaxFileDescriptors,
      eventLoopLag,
      ...typeof process.getActiveResourcesInfo == "function" ? { processResources } : {},
      processHandles,
      processRequests,
      heapSizeAndUsed,
      heapSpacesSizeAndUsed,
      version,
      gc
    }, metricsList = Object.keys(metrics);
    module2.exports = function(config) {
      if (config != null && !isObject(config))
        throw new TypeError("config must be null, undefined, or an object");
      config = { eventLoopMonitoringPrecision: 10, ...config };
      for (let metric of Object.values(metrics))
        metric(config.register, config);
    };
    module2.exports.metricsList = metricsList;
  }
});

// ../../../node_modules/prom-client/lib/metricAggregators.js
var require_metricAggregators = __commonJS({
  "../../../node_modules/prom-client/lib/metricAggregators.js"(exports2) {
    "use strict";
    var { Grouper, hashObject } = require_util2();
    function AggregatorFactory(aggregatorFn) {
      return (metrics) => {
        if (metrics.length === 0) return;
        let result = {
          help: metrics[0].help,
          name: metrics[0].name,
          type: metrics[0].type,
          values: [],
          aggregator: metrics[0].aggregator
        }, byLabels = new Grouper();
        return metrics.forEach((metric) => {
          metric.values.forEach((value) => {
            let key = hashObject(value.labels);
            byLabels.add(`${value.metricName}_${key}`, value);
          });
        }), byLabels.forEach((values) => {
          if (values.length === 0) return;
          let valObj = {
            value: aggregatorFn(values),
            labels: values[0].labels
          };
          values[0].metricName && (valObj.metricName = values[0].metricName), result.values.push(valObj);
        }), result;
      };
    }
    exports2.AggregatorFactory = AggregatorFactory;
    exports2.aggregators = {
      /**
       * @return The sum of values.
       */
      sum: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0)),
      /**
       * @return The first value.
       */
      first: AggregatorFactory((v) => v[0].value),
      /**
       * @return {undefined} Undefined; omits the metric.
       */
      omit: () => {
      },
      /**
       * @return The arithmetic mean of the values.
       */
      average: AggregatorFactory(
        (v) => v.reduce((p, c) => p + c.value, 0) / v.length
      ),
      /**
       * @return The minimum of the values.
       */
      min: AggregatorFactory(
        (v) => v.reduce((p, c) => Math.min(p, c.value), 1 / 0)
      ),
      /**
       * @return The maximum of the values.
       */
      max: AggregatorFactory(
        (v) => v.reduce((p, c) => Math.max(p, c.value), -1 / 0)
      )
    };
  }
});

// ../../../node_modules/prom-client/lib/cluster.js
var require_cluster2 = __commonJS({
  "../../../node_modules/prom-client/lib/cluster.js"(exports2, module2) {
    "use strict";
    var Registry2 = require_registry(), { Grouper } = require_util2(), { aggregators } = require_metricAggregators(), cluster = () => {
      let data = require("cluster");
      return cluster = () => data, data;
    }, GET_METRICS_REQ = "prom-client:getMetricsReq", GET_METRICS_RES = "prom-client:getMetricsRes", registries = [Registry2.globalRegistry], requestCtr = 0, listenersAdded = !1, requests = /* @__PURE__ */ new Map(), AggregatorRegistry = class extends Registry2 {
      constructor(regContentType = Registry2.PROMETHEUS_CONTENT_TYPE) {
        super(regContentType), addListeners();
      }
      /**
       * Gets aggregated metrics for all workers. The optional callback and
       * returned Promise resolve with the same value; either may be used.
       * @return {Promise<string>} Promise that resolves with the aggregated
       *   metrics.
       */
      clusterMetrics() {
        let requestId = requestCtr++;
        return new Promise((resolve, reject) => {
          let settled = !1;
          function done(err, result) {
            settled || (settled = !0, err ? reject(err) : resolve(result));
          }
          let request = {
            responses: [],
            pending: 0,
            done,
            errorTimeout: setTimeout(() => {
              let err = new Error("Operation timed out.");
              request.done(err);
            }, 5e3)
          };
          requests.set(requestId, request);
          let message = {
            type: GET_METRICS_REQ,
            requestId
          };
          for (let id in cluster().workers)
            cluster().workers[id].isConnected() && (cluster().workers[id].send(message), request.pending++);
          request.pending === 0 && (clearTimeout(request.errorTimeout), process.nextTick(() => done(null, "")));
        });
      }
      get contentType() {
        return super.contentType;
      }
      /**
       * Creates a new Registry instance from an array of metrics that were
       * created by `registry.getMetricsAsJSON()`. Metrics are aggregated using
       * the method specified by their `aggregator` property, or by summation if
       * `aggregator` is undefined.
       * @param {Array} metricsArr Array of metrics, each of which created by
       *   `registry.getMetricsAsJSON()`.
       * @param {string} registryType content type of the new registry. Defaults
       * to PROMETHEUS_CONTENT_TYPE.
       * @return {Registry} aggregated registry.
       */
      static aggregate(metricsArr, registryType = Registry2.PROMETHEUS_CONTENT_TYPE) {
        let aggregatedRegistry = new Registry2(), metricsByName = new Grouper();
        return aggregatedRegistry.setContentType(registryType), metricsArr.forEach((metrics) => {
          metrics.forEach((metric) => {
            metricsByName.add(metric.name, metric);
          });
        }), metricsByName.forEach((metrics) => {
          let aggregatorName = metrics[0].aggregator, aggregatorFn = aggregators[aggregatorName];
          if (typeof aggregatorFn != "function")
            throw new Error(`'${aggregatorName}' is not a defined aggregator.`);
          let aggregatedMetric = aggregatorFn(metrics);
          if (aggregatedMetric) {
            let aggregatedMetricWrapper = Object.assign(
              {
                get: () => aggregatedMetric
              },
              aggregatedMetric
            );
            aggregatedRegistry.registerMetric(aggregatedMetricWrapper);
          }
        }), aggregatedRegistry;
      }
      /**
       * Sets the registry or registries to be aggregated. Call from workers to
       * use a registry/registries other than the default global registry.
       * @param {Array<Registry>|Registry} regs Registry or registries to be
       *   aggregated.
       * @return {void}
       */
      static setRegistries(regs) {
        Array.isArray(regs) || (regs = [regs]), regs.forEach((reg) => {
          if (!(reg instanceof Registry2))
            throw new TypeError(`Expected Registry, got ${typeof reg}`);
        }), registries = regs;
      }
    };
    function addListeners() {
      listenersAdded || (listenersAdded = !0, cluster().isMaster && cluster().on("message", (worker, message) => {
        if (message.type === GET_METRICS_RES) {
          let request = requests.get(message.requestId);
          if (message.error) {
            request.done(new Error(message.error));
            return;
          }
          if (message.metrics.forEach((registry2) => request.responses.push(registry2)), request.pending--, request.pending === 0) {
            requests.delete(message.requestId), clearTimeout(request.errorTimeout);
            let promString = AggregatorRegistry.aggregate(request.responses).metrics();
            request.done(null, promString);
          }
        }
      }), cluster().isWorker && process.on("message", (message) => {
        message.type === GET_METRICS_REQ && Promise.all(registries.map((r) => r.getMetricsAsJSON())).then((metrics) => {
          process.send({
            type: GET_METRICS_RES,
            requestId: message.requestId,
            metrics
          });
        }).catch((error) => {
          process.send({
            type: GET_METRICS_RES,
            requestId: message.requestId,
            error: error.message
          });
        });
      }));
    }
    module2.exports = AggregatorRegistry;
  }
});

// ../../../node_modules/prom-client/index.js
var require_prom_client = __commonJS({
  "../../../node_modules/prom-client/index.js"(exports2) {
    "use strict";
    exports2.register = require_registry().globalRegistry;
    exports2.Registry = require_registry();
    Object.defineProperty(exports2, "contentType", {
      configurable: !1,
      enumerable: !0,
      get() {
        return exports2.register.contentType;
      },
      set(value) {
        exports2.register.setContentType(value);
      }
    });
    exports2.prometheusContentType = exports2.Registry.PROMETHEUS_CONTENT_TYPE;
    exports2.openMetricsContentType = exports2.Registry.OPENMETRICS_CONTENT_TYPE;
    exports2.validateMetricName = require_validation().validateMetricName;
    exports2.Counter = require_counter();
    exports2.Gauge = require_gauge();
    exports2.Histogram = require_histogram();
    exports2.Summary = require_summary();
    exports2.Pushgateway = require_pushgateway();
    exports2.linearBuckets = require_bucketGenerators().linearBuckets;
    exports2.exponentialBuckets = require_bucketGenerators().exponentialBuckets;
    exports2.collectDefaultMetrics = require_defaultMetrics();
    exports2.aggregators = require_metricAggregators().aggregators;
    exports2.AggregatorRegistry = require_cluster2();
  }
});

// ../../../node_modules/cockatiel/dist/backoff/ConstantBackoff.js
var require_ConstantBackoff = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/ConstantBackoff.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.ConstantBackoff = void 0;
    var ConstantBackoff = class {
      /**
       * Backoff that returns a constant interval.
       */
      constructor(interval) {
        this.interval = interval;
      }
      /**
       * @inheritdoc
       */
      next() {
        return instance(this.interval);
      }
    };
    exports2.ConstantBackoff = ConstantBackoff;
    var instance = (interval) => ({
      duration: interval,
      next() {
        return this;
      }
    });
  }
});

// ../../../node_modules/cockatiel/dist/backoff/DelegateBackoff.js
var require_DelegateBackoff = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/DelegateBackoff.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.DelegateBackoff = void 0;
    var DelegateBackoff = class {
      /**
       * Backoff that delegates to a user-provided function. The function takes
       * the backoff context, and can optionally take (and return) a state value
       * that will be passed into subsequent backoff requests.
       */
      constructor(fn) {
        this.fn = fn;
      }
      /**
       * @inheritdoc
       */
      next(context) {
        return instance(this.fn).next(context);
      }
    };
    exports2.DelegateBackoff = DelegateBackoff;
    var instance = (fn, state, current = 0) => ({
      duration: current,
      next(context) {
        let result = fn(context, state);
        return typeof result == "number" ? instance(fn, state, result) : instance(fn, result.state, result.delay);
      }
    });
  }
});

// ../../../node_modules/cockatiel/dist/backoff/ExponentialBackoffGenerators.js
var require_ExponentialBackoffGenerators = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/ExponentialBackoffGenerators.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.decorrelatedJitterGenerator = exports2.halfJitterGenerator = exports2.fullJitterGenerator = exports2.noJitterGenerator = void 0;
    var noJitterGenerator = (attempts = 0, options) => [
      Math.min(options.maxDelay, options.initialDelay * 2 ** attempts),
      attempts + 1
    ];
    exports2.noJitterGenerator = noJitterGenerator;
    var fullJitterGenerator = (state, options) => {
      let [delay, next] = (0, exports2.noJitterGenerator)(state, options);
      return [Math.floor(Math.random() * delay), next];
    };
    exports2.fullJitterGenerator = fullJitterGenerator;
    var halfJitterGenerator = (attempts, options) => {
      let [delay, next] = (0, exports2.noJitterGenerator)(attempts, options);
      return [Math.floor((delay + Math.random() * delay) / 2), next];
    };
    exports2.halfJitterGenerator = halfJitterGenerator;
    var pFactor = 4, rpScalingFactor = 1 / 1.4, decorrelatedJitterGenerator = (state, options) => {
      let [attempt, prev] = state || [0, 0], t = attempt + Math.random(), next = Math.pow(options.exponent, t) * Math.tanh(Math.sqrt(pFactor * t)), formulaIntrinsicValue = isFinite(next) ? Math.max(0, next - prev) : 1 / 0;
      return [
        Math.min(formulaIntrinsicValue * rpScalingFactor * options.initialDelay, options.maxDelay),
        [attempt + 1, next]
      ];
    };
    exports2.decorrelatedJitterGenerator = decorrelatedJitterGenerator;
  }
});

// ../../../node_modules/cockatiel/dist/backoff/ExponentialBackoff.js
var require_ExponentialBackoff = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/ExponentialBackoff.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.ExponentialBackoff = void 0;
    var ExponentialBackoffGenerators_1 = require_ExponentialBackoffGenerators(), defaultOptions = {
      generator: ExponentialBackoffGenerators_1.decorrelatedJitterGenerator,
      maxDelay: 3e4,
      exponent: 2,
      initialDelay: 128
    }, ExponentialBackoff = class {
      /**
       * An implementation of exponential backoff.
       */
      constructor(options) {
        this.options = options ? { ...defaultOptions, ...options } : defaultOptions;
      }
      next() {
        return instance(this.options).next(void 0);
      }
    };
    exports2.ExponentialBackoff = ExponentialBackoff;
    var instance = (options, state, delay = 0, attempt = -1) => ({
      duration: delay,
      next() {
        let [nextDelay, nextState] = options.generator(state, options);
        return instance(options, nextState, nextDelay, attempt + 1);
      }
    });
  }
});

// ../../../node_modules/cockatiel/dist/backoff/IterableBackoff.js
var require_IterableBackoff = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/IterableBackoff.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.IterableBackoff = void 0;
    var IterableBackoff = class {
      /**
       * Backoff that returns a number from an iterable.
       */
      constructor(durations) {
        this.durations = durations;
      }
      /**
       * @inheritdoc
       */
      next(_context) {
        return instance(this.durations, 0);
      }
    };
    exports2.IterableBackoff = IterableBackoff;
    var instance = (durations, index) => ({
      duration: durations[index],
      next() {
        return index === durations.length - 1 ? this : instance(durations, index + 1);
      }
    });
  }
});

// ../../../node_modules/cockatiel/dist/backoff/Backoff.js
var require_Backoff = __commonJS({
  "../../../node_modules/cockatiel/dist/backoff/Backoff.js"(exports2) {
    "use strict";
    var __createBinding = exports2 && exports2.__createBinding || (Object.create ? (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k);
      var desc = Object.getOwnPropertyDescriptor(m, k);
      (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) && (desc = { enumerable: !0, get: function() {
        return m[k];
      } }), Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), o[k2] = m[k];
    })), __exportStar = exports2 && exports2.__exportStar || function(m, exports3) {
      for (var p in m) p !== "default" && !Object.prototype.hasOwnProperty.call(exports3, p) && __createBinding(exports3, m, p);
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    __exportStar(require_ConstantBackoff(), exports2);
    __exportStar(require_DelegateBackoff(), exports2);
    __exportStar(require_ExponentialBackoff(), exports2);
    __exportStar(require_ExponentialBackoffGenerators(), exports2);
    __exportStar(require_IterableBackoff(), exports2);
  }
});

// ../../../node_modules/cockatiel/dist/breaker/ConsecutiveBreaker.js
var require_ConsecutiveBreaker = __commonJS({
  "../../../node_modules/cockatiel/dist/breaker/ConsecutiveBreaker.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.ConsecutiveBreaker = void 0;
    var ConsecutiveBreaker2 = class {
      /**
       * ConsecutiveBreaker breaks if more than `threshold` exceptions are received
       * over a time period.
       */
      constructor(threshold) {
        this.threshold = threshold, this.state = 0;
      }
      /**
       * @inheritdoc
       */
      success() {
        this.state = 0;
      }
      /**
       * @inheritdoc
       */
      failure() {
        return ++this.state >= this.threshold;
      }
    };
    exports2.ConsecutiveBreaker = ConsecutiveBreaker2;
  }
});

// ../../../node_modules/cockatiel/dist/errors/TaskCancelledError.js
var require_TaskCancelledError = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/TaskCancelledError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.TaskCancelledError = void 0;
    var TaskCancelledError = class extends Error {
      /**
       * Error thrown when a task is cancelled.
       */
      constructor(message = "Operation cancelled") {
        super(message), this.message = message, this.isTaskCancelledError = !0;
      }
    };
    exports2.TaskCancelledError = TaskCancelledError;
  }
});

// ../../../node_modules/cockatiel/dist/common/Event.js
var require_Event = __commonJS({
  "../../../node_modules/cockatiel/dist/common/Event.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.MemorizingEventEmitter = exports2.EventEmitter = exports2.onAbort = exports2.Event = exports2.noopDisposable = void 0;
    var TaskCancelledError_1 = require_TaskCancelledError();
    exports2.noopDisposable = { dispose: () => {
    } };
    var Event;
    (function(Event2) {
      Event2.once = (event, listener) => {
        let syncDispose = !1, disposable;
        return disposable = event((value) => {
          listener(value), disposable ? disposable.dispose() : syncDispose = !0;
        }), syncDispose ? (disposable.dispose(), exports2.noopDisposable) : disposable;
      }, Event2.toPromise = (event, signal) => {
        if (!signal)
          return new Promise((resolve) => Event2.once(event, resolve));
        if (signal.aborted)
          return Promise.reject(new TaskCancelledError_1.TaskCancelledError());
        let toDispose = [];
        return new Promise((resolve, reject) => {
          let abortEvt = (0, exports2.onAbort)(signal);
          toDispose.push(abortEvt), toDispose.push(abortEvt.event(() => {
            reject(new TaskCancelledError_1.TaskCancelledError());
          })), toDispose.push(Event2.once(event, (data) => {
            resolve(data);
          }));
        }).finally(() => {
          for (let d of toDispose)
            d.dispose();
        });
      };
    })(Event || (exports2.Event = Event = {}));
    var onAbort = (signal) => {
      let evt = new OneShotEvent();
      if (signal.aborted)
        return evt.emit(), { event: evt.addListener, dispose: () => {
        } };
      let dispose = () => signal.removeEventListener("abort", l), l = () => {
        evt.emit(), dispose();
      };
      return signal.addEventListener("abort", l), { event: evt.addListener, dispose };
    };
    exports2.onAbort = onAbort;
    var EventEmitter = class {
      constructor() {
        this.addListener = (listener) => this.addListenerInner(listener);
      }
      /**
       * Gets the number of event listeners.
       */
      get size() {
        return this.listeners ? typeof this.listeners == "function" ? 1 : this.listeners.length : 0;
      }
      /**
       * Emits event data.
       */
      emit(value) {
        if (this.listeners)
          if (typeof this.listeners == "function")
            this.listeners(value);
          else
            for (let listener of this.listeners)
              listener(value);
      }
      addListenerInner(listener) {
        return this.listeners ? typeof this.listeners == "function" ? this.listeners = [this.listeners, listener] : this.listeners.push(listener) : this.listeners = listener, { dispose: () => this.removeListener(listener) };
      }
      removeListener(listener) {
        if (!this.listeners)
          return;
        if (typeof this.listeners == "function") {
          this.listeners === listener && (this.listeners = void 0);
          return;
        }
        let index = this.listeners.indexOf(listener);
        index !== -1 && (this.listeners.length === 2 ? this.listeners = index === 0 ? this.listeners[1] : this.listeners[0] : this.listeners = this.listeners.slice(0, index).concat(this.listeners.slice(index + 1)));
      }
    };
    exports2.EventEmitter = EventEmitter;
    var MemorizingEventEmitter = class extends EventEmitter {
      constructor() {
        super(...arguments), this.addListener = (listener) => {
          let disposable = this.addListenerInner(listener);
          return this.lastValue && listener(this.lastValue.value), disposable;
        };
      }
      /**
       * Gets whether this emitter has yet emitted any event.
       */
      get hasEmitted() {
        return !!this.lastValue;
      }
      /**
       * @inheritdoc
       */
      emit(value) {
        this.lastValue = { value }, super.emit(value);
      }
    };
    exports2.MemorizingEventEmitter = MemorizingEventEmitter;
    var OneShotEvent = class extends EventEmitter {
      constructor() {
        super(...arguments), this.addListener = (listener) => this.lastValue ? (listener(this.lastValue.value), exports2.noopDisposable) : this.addListenerInner(listener);
      }
      /**
       * @inheritdoc
       */
      emit(value) {
        this.lastValue = { value }, super.emit(value), this.listeners = void 0;
      }
    };
  }
});

// ../../../node_modules/cockatiel/dist/common/abort.js
var require_abort = __commonJS({
  "../../../node_modules/cockatiel/dist/common/abort.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.deriveAbortController = exports2.abortedSignal = exports2.neverAbortedSignal = void 0;
    var Event_1 = require_Event();
    exports2.neverAbortedSignal = new AbortController().signal;
    var cancelledSrc = new AbortController();
    cancelledSrc.abort();
    exports2.abortedSignal = cancelledSrc.signal;
    var noop = () => {
    }, deriveAbortController = (signal) => {
      let ctrl = new AbortController(), dispose = noop;
      if (!signal)
        return { ctrl, dispose };
      if (signal.aborted)
        ctrl.abort();
      else {
        let abortEvt = (0, Event_1.onAbort)(signal);
        abortEvt.event(() => ctrl.abort()), dispose = abortEvt.dispose;
      }
      return { ctrl, dispose };
    };
    exports2.deriveAbortController = deriveAbortController;
  }
});

// ../../../node_modules/cockatiel/dist/common/Executor.js
var require_Executor = __commonJS({
  "../../../node_modules/cockatiel/dist/common/Executor.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.ExecuteWrapper = exports2.returnOrThrow = void 0;
    var Event_1 = require_Event(), returnOrThrow = (failure) => {
      if ("error" in failure)
        throw failure.error;
      return "success" in failure ? failure.success : failure.value;
    };
    exports2.returnOrThrow = returnOrThrow;
    var makeStopwatch = () => {
      if (typeof performance < "u") {
        let start2 = performance.now();
        return () => performance.now() - start2;
      } else {
        let start2 = process.hrtime.bigint();
        return () => Number(process.hrtime.bigint() - start2) / 1e6;
      }
    }, ExecuteWrapper = class _ExecuteWrapper {
      constructor(errorFilter = () => !1, resultFilter = () => !1) {
        this.errorFilter = errorFilter, this.resultFilter = resultFilter, this.successEmitter = new Event_1.EventEmitter(), this.failureEmitter = new Event_1.EventEmitter(), this.onSuccess = this.successEmitter.addListener, this.onFailure = this.failureEmitter.addListener;
      }
      clone() {
        return new _ExecuteWrapper(this.errorFilter, this.resultFilter);
      }
      async invoke(fn, ...args) {
        let stopwatch = this.successEmitter.size || this.failureEmitter.size ? makeStopwatch() : null;
        try {
          let value = await fn(...args);
          return this.resultFilter(value) ? (stopwatch && this.failureEmitter.emit({ duration: stopwatch(), handled: !0, reason: { value } }), { value }) : (stopwatch && this.successEmitter.emit({ duration: stopwatch() }), { success: value });
        } catch (rawError) {
          let error = rawError, handled = this.errorFilter(error);
          if (stopwatch && this.failureEmitter.emit({ duration: stopwatch(), handled, reason: { error } }), !handled)
            throw error;
          return { error };
        }
      }
    };
    exports2.ExecuteWrapper = ExecuteWrapper;
  }
});

// ../../../node_modules/cockatiel/dist/errors/BrokenCircuitError.js
var require_BrokenCircuitError = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/BrokenCircuitError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.BrokenCircuitError = void 0;
    var BrokenCircuitError2 = class extends Error {
      /**
       * Exception thrown from {@link CircuitBreakerPolicy.execute} when the
       * circuit breaker is open.
       */
      constructor(message = "Execution prevented because the circuit breaker is open") {
        super(message), this.isBrokenCircuitError = !0;
      }
    };
    exports2.BrokenCircuitError = BrokenCircuitError2;
  }
});

// ../../../node_modules/cockatiel/dist/errors/BulkheadRejectedError.js
var require_BulkheadRejectedError = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/BulkheadRejectedError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.BulkheadRejectedError = void 0;
    var BulkheadRejectedError = class extends Error {
      constructor(executionSlots, queueSlots) {
        super(`Bulkhead capacity exceeded (0/${executionSlots} execution slots, 0/${queueSlots} available)`), this.isBulkheadRejectedError = !0;
      }
    };
    exports2.BulkheadRejectedError = BulkheadRejectedError;
  }
});

// ../../../node_modules/cockatiel/dist/errors/HydratingCircuitError.js
var require_HydratingCircuitError = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/HydratingCircuitError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.HydratingCircuitError = void 0;
    var HydratingCircuitError = class extends Error {
      /**
       * Exception thrown from {@link CircuitBreakerPolicy.execute} when the
       * circuit breaker is open.
       */
      constructor(message = "Execution prevented because the circuit breaker is open") {
        super(message), this.isHydratingCircuitError = !0;
      }
    };
    exports2.HydratingCircuitError = HydratingCircuitError;
  }
});

// ../../../node_modules/cockatiel/dist/errors/IsolatedCircuitError.js
var require_IsolatedCircuitError = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/IsolatedCircuitError.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.IsolatedCircuitError = void 0;
    var BrokenCircuitError_1 = require_BrokenCircuitError(), IsolatedCircuitError = class extends BrokenCircuitError_1.BrokenCircuitError {
      /**
       * Exception thrown from {@link CircuitBreakerPolicy.execute} when the
       * circuit breaker is open.
       */
      constructor() {
        super("Execution prevented because the circuit breaker is open"), this.isIsolatedCircuitError = !0;
      }
    };
    exports2.IsolatedCircuitError = IsolatedCircuitError;
  }
});

// ../../../node_modules/cockatiel/dist/errors/Errors.js
var require_Errors = __commonJS({
  "../../../node_modules/cockatiel/dist/errors/Errors.js"(exports2) {
    "use strict";
    var __createBinding = exports2 && exports2.__createBinding || (Object.create ? (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k);
      var desc = Object.getOwnPropertyDescriptor(m, k);
      (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) && (desc = { enumerable: !0, get: function() {
        return m[k];
      } }), Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), o[k2] = m[k];
    })), __exportStar = exports2 && exports2.__exportStar || function(m, exports3) {
      for (var p in m) p !== "default" && !Object.prototype.hasOwnProperty.call(exports3, p) && __createBinding(exports3, m, p);
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.isHydratingCircuitError = exports2.isTaskCancelledError = exports2.isIsolatedCircuitError = exports2.isBulkheadRejectedError = exports2.isBrokenCircuitError = void 0;
    __exportStar(require_BrokenCircuitError(), exports2);
    __exportStar(require_BulkheadRejectedError(), exports2);
    __exportStar(require_HydratingCircuitError(), exports2);
    __exportStar(require_IsolatedCircuitError(), exports2);
    __exportStar(require_TaskCancelledError(), exports2);
    var isBrokenCircuitError2 = (e) => !!e && e instanceof Error && "isBrokenCircuitError" in e;
    exports2.isBrokenCircuitError = isBrokenCircuitError2;
    var isBulkheadRejectedError = (e) => !!e && e instanceof Error && "isBulkheadRejectedError" in e;
    exports2.isBulkheadRejectedError = isBulkheadRejectedError;
    var isIsolatedCircuitError = (e) => !!e && e instanceof Error && "isBulkheadRejectedError" in e;
    exports2.isIsolatedCircuitError = isIsolatedCircuitError;
    var isTaskCancelledError2 = (e) => !!e && e instanceof Error && "isBulkheadRejectedError" in e;
    exports2.isTaskCancelledError = isTaskCancelledError2;
    var isHydratingCircuitError = (e) => !!e && e instanceof Error && "isHydratingCircuitError" in e;
    exports2.isHydratingCircuitError = isHydratingCircuitError;
  }
});

// ../../../node_modules/cockatiel/dist/CircuitBreakerPolicy.js
var require_CircuitBreakerPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/CircuitBreakerPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.CircuitBreakerPolicy = exports2.CircuitState = void 0;
    var Backoff_1 = require_Backoff(), abort_1 = require_abort(), Event_1 = require_Event(), Executor_1 = require_Executor(), Errors_1 = require_Errors(), IsolatedCircuitError_1 = require_IsolatedCircuitError(), CircuitState2;
    (function(CircuitState3) {
      CircuitState3[CircuitState3.Closed = 0] = "Closed", CircuitState3[CircuitState3.Open = 1] = "Open", CircuitState3[CircuitState3.HalfOpen = 2] = "HalfOpen", CircuitState3[CircuitState3.Isolated = 3] = "Isolated";
    })(CircuitState2 || (exports2.CircuitState = CircuitState2 = {}));
    var CircuitBreakerPolicy = class {
      /**
       * Gets the current circuit breaker state.
       */
      get state() {
        return this.innerState.value;
      }
      /**
       * Gets the last reason the circuit breaker failed.
       */
      get lastFailure() {
        return this.innerLastFailure;
      }
      constructor(options, executor) {
        if (this.options = options, this.executor = executor, this.breakEmitter = new Event_1.EventEmitter(), this.resetEmitter = new Event_1.EventEmitter(), this.halfOpenEmitter = new Event_1.EventEmitter(), this.stateChangeEmitter = new Event_1.EventEmitter(), this.innerState = { value: CircuitState2.Closed }, this.onBreak = this.breakEmitter.addListener, this.onReset = this.resetEmitter.addListener, this.onHalfOpen = this.halfOpenEmitter.addListener, this.onStateChange = this.stateChangeEmitter.addListener, this.onSuccess = this.executor.onSuccess, this.onFailure = this.executor.onFailure, this.halfOpenAfterBackoffFactory = typeof options.halfOpenAfter == "number" ? new Backoff_1.ConstantBackoff(options.halfOpenAfter) : options.halfOpenAfter, options.initialState) {
          let initialState = options.initialState;
          if (this.innerState = initialState.ownState, this.options.breaker.state = initialState.breakerState, this.innerState.value === CircuitState2.Open || this.innerState.value === CircuitState2.HalfOpen) {
            this.innerLastFailure = { error: new Errors_1.HydratingCircuitError() };
            let backoff = this.halfOpenAfterBackoffFactory.next({
              attempt: 1,
              result: this.innerLastFailure,
              signal: abort_1.neverAbortedSignal
            });
            for (let i = 2; i <= this.innerState.attemptNo; i++)
              backoff = backoff.next({
                attempt: i,
                result: this.innerLastFailure,
                signal: abort_1.neverAbortedSignal
              });
            this.innerState.backoff = backoff;
          }
        }
      }
      /**
       * Manually holds open the circuit breaker.
       * @returns A handle that keeps the breaker open until `.dispose()` is called.
       */
      isolate() {
        this.innerState.value !== CircuitState2.Isolated && (this.innerState = { value: CircuitState2.Isolated, counters: 0 }, this.breakEmitter.emit({ isolated: !0 }), this.stateChangeEmitter.emit(CircuitState2.Isolated)), this.innerState.counters++;
        let disposed = !1;
        return {
          dispose: () => {
            disposed || (disposed = !0, this.innerState.value === CircuitState2.Isolated && !--this.innerState.counters && (this.innerState = { value: CircuitState2.Closed }, this.resetEmitter.emit(), this.stateChangeEmitter.emit(CircuitState2.Closed)));
          }
        };
      }
      /**
       * Executes the given function.
       * @param fn Function to run
       * @throws a {@link BrokenCircuitError} if the circuit is open
       * @throws a {@link IsolatedCircuitError} if the circuit is held
       * open via {@link CircuitBreakerPolicy.isolate}
       * @returns a Promise that resolves or rejects with the function results.
       */
      async execute(fn, signal = abort_1.neverAbortedSignal) {
        let state = this.innerState;
        switch (state.value) {
          case CircuitState2.Closed:
            let result = await this.executor.invoke(fn, { signal });
            return "success" in result ? this.options.breaker.success(state.value) : (this.innerLastFailure = result, this.options.breaker.failure(state.value) && this.open(result, signal)), (0, Executor_1.returnOrThrow)(result);
          case CircuitState2.HalfOpen:
            if (await state.test.catch(() => {
            }), this.state === CircuitState2.Closed && signal.aborted)
              throw new Errors_1.TaskCancelledError();
            return this.execute(fn);
          case CircuitState2.Open:
            if (Date.now() - state.openedAt < state.backoff.duration)
              throw new Errors_1.BrokenCircuitError();
            let test = this.halfOpen(fn, signal);
            return this.innerState = {
              value: CircuitState2.HalfOpen,
              test,
              backoff: state.backoff,
              attemptNo: state.attemptNo + 1
            }, this.stateChangeEmitter.emit(CircuitState2.HalfOpen), test;
          case CircuitState2.Isolated:
            throw new IsolatedCircuitError_1.IsolatedCircuitError();
          default:
            throw new Error(`Unexpected circuit state ${state}`);
        }
      }
      /**
       * Captures circuit breaker state that can later be used to recreate the
       * breaker by passing `state` to the `circuitBreaker` function. This is
       * useful in cases like serverless functions where you may want to keep
       * the breaker state across multiple executions.
       */
      toJSON() {
        let state = this.innerState, ownState;
        return state.value === CircuitState2.HalfOpen ? ownState = {
          value: CircuitState2.Open,
          openedAt: 0,
          attemptNo: state.attemptNo
        } : state.value === CircuitState2.Open ? ownState = {
          value: CircuitState2.Open,
          openedAt: state.openedAt,
          attemptNo: state.attemptNo
        } : ownState = state, { ownState, breakerState: this.options.breaker.state };
      }
      async halfOpen(fn, signal) {
        this.halfOpenEmitter.emit();
        try {
          let result = await this.executor.invoke(fn, { signal });
          return "success" in result ? (this.options.breaker.success(CircuitState2.HalfOpen), this.close()) : (this.innerLastFailure = result, this.options.breaker.failure(CircuitState2.HalfOpen), this.open(result, signal)), (0, Executor_1.returnOrThrow)(result);
        } catch (err) {
          throw this.close(), err;
        }
      }
      open(reason, signal) {
        if (this.state === CircuitState2.Isolated || this.state === CircuitState2.Open)
          return;
        let attemptNo = this.innerState.value === CircuitState2.HalfOpen ? this.innerState.attemptNo : 1, context = { attempt: attemptNo, result: reason, signal }, backoff = this.innerState.value === CircuitState2.HalfOpen ? this.innerState.backoff.next(context) : this.halfOpenAfterBackoffFactory.next(context);
        this.innerState = { value: CircuitState2.Open, openedAt: Date.now(), backoff, attemptNo }, this.breakEmitter.emit(reason), this.stateChangeEmitter.emit(CircuitState2.Open);
      }
      close() {
        this.state === CircuitState2.HalfOpen && (this.innerState = { value: CircuitState2.Closed }, this.resetEmitter.emit(), this.stateChangeEmitter.emit(CircuitState2.Closed));
      }
    };
    exports2.CircuitBreakerPolicy = CircuitBreakerPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/breaker/CountBreaker.js
var require_CountBreaker = __commonJS({
  "../../../node_modules/cockatiel/dist/breaker/CountBreaker.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.CountBreaker = void 0;
    var CircuitBreakerPolicy_1 = require_CircuitBreakerPolicy(), CountBreaker = class {
      /**
       * @inheritdoc
       */
      get state() {
        return {
          samples: this.samples,
          currentSample: this.currentSample,
          failures: this.failures,
          successes: this.successes
        };
      }
      /**
       * @inheritdoc
       */
      set state(value) {
        Object.assign(this, value);
      }
      /**
       * CountBreaker breaks if more than `threshold` percentage of the last `size`
       * calls failed, so long as at least `minimumNumberOfCalls` calls have been
       * performed (to avoid opening unnecessarily if there are only few samples
       * in the sliding window yet).
       */
      constructor({ threshold, size, minimumNumberOfCalls = size }) {
        if (this.successes = 0, this.failures = 0, this.currentSample = 0, threshold <= 0 || threshold >= 1)
          throw new RangeError(`CountBreaker threshold should be between (0, 1), got ${threshold}`);
        if (!Number.isSafeInteger(size) || size < 1)
          throw new RangeError(`CountBreaker size should be a positive integer, got ${size}`);
        if (!Number.isSafeInteger(minimumNumberOfCalls) || minimumNumberOfCalls < 1 || minimumNumberOfCalls > size)
          throw new RangeError(`CountBreaker size should be an integer between (1, size), got ${minimumNumberOfCalls}`);
        this.threshold = threshold, this.minimumNumberOfCalls = minimumNumberOfCalls, this.samples = Array.from({ length: size }, () => null);
      }
      /**
       * @inheritdoc
       */
      success(state) {
        state === CircuitBreakerPolicy_1.CircuitState.HalfOpen && this.reset(), this.sample(!0);
      }
      /**
       * @inheritdoc
       */
      failure(state) {
        if (this.sample(!1), state !== CircuitBreakerPolicy_1.CircuitState.Closed)
          return !0;
        let total = this.successes + this.failures;
        return total < this.minimumNumberOfCalls ? !1 : this.failures > this.threshold * total;
      }
      reset() {
        this.samples.fill(null), this.successes = 0, this.failures = 0;
      }
      sample(success) {
        let current = this.samples[this.currentSample];
        current === !0 ? this.successes-- : current === !1 && this.failures--, this.samples[this.currentSample] = success, success ? this.successes++ : this.failures++, this.currentSample = (this.currentSample + 1) % this.samples.length;
      }
    };
    exports2.CountBreaker = CountBreaker;
  }
});

// ../../../node_modules/cockatiel/dist/breaker/SamplingBreaker.js
var require_SamplingBreaker = __commonJS({
  "../../../node_modules/cockatiel/dist/breaker/SamplingBreaker.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.SamplingBreaker = void 0;
    var CircuitBreakerPolicy_1 = require_CircuitBreakerPolicy(), SamplingBreaker = class {
      /**
       * @inheritdoc
       */
      get state() {
        return {
          windows: this.windows,
          currentWindow: this.currentWindow,
          currentFailures: this.currentFailures,
          currentSuccesses: this.currentSuccesses
        };
      }
      /**
       * @inheritdoc
       */
      set state(value) {
        Object.assign(this, value);
      }
      /**
       * SamplingBreaker breaks if more than `threshold` percentage of calls over the
       * last `samplingDuration`, so long as there's at least `minimumRps` (to avoid
       * opening unnecessarily under low RPS).
       */
      constructor({ threshold, duration: samplingDuration, minimumRps }) {
        if (this.windows = [], this.currentWindow = 0, this.currentFailures = 0, this.currentSuccesses = 0, threshold <= 0 || threshold >= 1)
          throw new RangeError(`SamplingBreaker threshold should be between (0, 1), got ${threshold}`);
        this.threshold = threshold;
        let windowCount = Math.max(5, Math.ceil(samplingDuration / 1e3));
        for (let i = 0; i < windowCount; i++)
          this.windows.push({ startedAt: 0, failures: 0, successes: 0 });
        this.windowSize = Math.round(samplingDuration / windowCount), this.duration = this.windowSize * windowCount, minimumRps ? this.minimumRpms = minimumRps / 1e3 : this.minimumRpms = 5 / (threshold * 1e3);
      }
      /**
       * @inheritdoc
       */
      success(state) {
        state === CircuitBreakerPolicy_1.CircuitState.HalfOpen && this.resetWindows(), this.push(!0);
      }
      /**
       * @inheritdoc
       */
      failure(state) {
        if (this.push(!1), state !== CircuitBreakerPolicy_1.CircuitState.Closed)
          return !0;
        let total = this.currentSuccesses + this.currentFailures;
        return total < this.duration * this.minimumRpms ? !1 : this.currentFailures > this.threshold * total;
      }
      resetWindows() {
        this.currentFailures = 0, this.currentSuccesses = 0;
        for (let window2 of this.windows)
          window2.failures = 0, window2.successes = 0, window2.startedAt = 0;
      }
      rotateWindow(now) {
        let next = (this.currentWindow + 1) % this.windows.length;
        this.currentFailures -= this.windows[next].failures, this.currentSuccesses -= this.windows[next].successes;
        let window2 = this.windows[next] = { failures: 0, successes: 0, startedAt: now };
        return this.currentWindow = next, window2;
      }
      push(success) {
        let now = Date.now(), window2 = this.windows[this.currentWindow];
        now - window2.startedAt >= this.windowSize && (window2 = this.rotateWindow(now)), success ? (window2.successes++, this.currentSuccesses++) : (window2.failures++, this.currentFailures++);
      }
    };
    exports2.SamplingBreaker = SamplingBreaker;
  }
});

// ../../../node_modules/cockatiel/dist/breaker/Breaker.js
var require_Breaker = __commonJS({
  "../../../node_modules/cockatiel/dist/breaker/Breaker.js"(exports2) {
    "use strict";
    var __createBinding = exports2 && exports2.__createBinding || (Object.create ? (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k);
      var desc = Object.getOwnPropertyDescriptor(m, k);
      (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) && (desc = { enumerable: !0, get: function() {
        return m[k];
      } }), Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), o[k2] = m[k];
    })), __exportStar = exports2 && exports2.__exportStar || function(m, exports3) {
      for (var p in m) p !== "default" && !Object.prototype.hasOwnProperty.call(exports3, p) && __createBinding(exports3, m, p);
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    __exportStar(require_ConsecutiveBreaker(), exports2);
    __exportStar(require_CountBreaker(), exports2);
    __exportStar(require_SamplingBreaker(), exports2);
  }
});

// ../../../node_modules/cockatiel/dist/common/defer.js
var require_defer = __commonJS({
  "../../../node_modules/cockatiel/dist/common/defer.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.defer = void 0;
    var defer = () => {
      let resolve, reject, promise = new Promise((res, rej) => {
        resolve = res, reject = rej;
      });
      return { resolve, reject, promise };
    };
    exports2.defer = defer;
  }
});

// ../../../node_modules/cockatiel/dist/BulkheadPolicy.js
var require_BulkheadPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/BulkheadPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.BulkheadPolicy = void 0;
    var abort_1 = require_abort(), defer_1 = require_defer(), Event_1 = require_Event(), Executor_1 = require_Executor(), BulkheadRejectedError_1 = require_BulkheadRejectedError(), Errors_1 = require_Errors(), BulkheadPolicy = class {
      /**
       * Returns the number of available execution slots at this point in time.
       */
      get executionSlots() {
        return this.capacity - this.active;
      }
      /**
       * Returns the number of queue slots at this point in time.
       */
      get queueSlots() {
        return this.queueCapacity - this.queue.length;
      }
      /**
       * Bulkhead limits concurrent requests made.
       */
      constructor(capacity, queueCapacity) {
        this.capacity = capacity, this.queueCapacity = queueCapacity, this.active = 0, this.queue = [], this.onRejectEmitter = new Event_1.EventEmitter(), this.executor = new Executor_1.ExecuteWrapper(), this.onSuccess = this.executor.onSuccess, this.onFailure = this.executor.onFailure, this.onReject = this.onRejectEmitter.addListener;
      }
      /**
       * Executes the given function.
       * @param fn Function to execute
       * @throws a {@link BulkheadRejectedException} if the bulkhead limits are exceeeded
       */
      async execute(fn, signal = abort_1.neverAbortedSignal) {
        if (signal.aborted)
          throw new Errors_1.TaskCancelledError();
        if (this.active < this.capacity) {
          this.active++;
          try {
            return await fn({ signal });
          } finally {
            this.active--, this.dequeue();
          }
        }
        if (this.queue.length < this.queueCapacity) {
          let { resolve, reject, promise } = (0, defer_1.defer)();
          return this.queue.push({ signal, fn, resolve, reject }), promise;
        }
        throw this.onRejectEmitter.emit(), new BulkheadRejectedError_1.BulkheadRejectedError(this.capacity, this.queueCapacity);
      }
      dequeue() {
        let item = this.queue.shift();
        item && Promise.resolve().then(() => this.execute(item.fn, item.signal)).then(item.resolve).catch(item.reject);
      }
    };
    exports2.BulkheadPolicy = BulkheadPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/FallbackPolicy.js
var require_FallbackPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/FallbackPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.FallbackPolicy = void 0;
    var abort_1 = require_abort(), FallbackPolicy = class {
      constructor(executor, value) {
        this.executor = executor, this.value = value, this.onSuccess = this.executor.onSuccess, this.onFailure = this.executor.onFailure;
      }
      /**
       * Executes the given function.
       * @param fn Function to execute.
       * @returns The function result or fallback value.
       */
      async execute(fn, signal = abort_1.neverAbortedSignal) {
        let result = await this.executor.invoke(fn, { signal });
        return "success" in result ? result.success : this.value();
      }
    };
    exports2.FallbackPolicy = FallbackPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/NoopPolicy.js
var require_NoopPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/NoopPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.NoopPolicy = void 0;
    var abort_1 = require_abort(), Executor_1 = require_Executor(), NoopPolicy = class {
      constructor() {
        this.executor = new Executor_1.ExecuteWrapper(), this.onSuccess = this.executor.onSuccess, this.onFailure = this.executor.onFailure;
      }
      async execute(fn, signal = abort_1.neverAbortedSignal) {
        return (0, Executor_1.returnOrThrow)(await this.executor.invoke(fn, { signal }));
      }
    };
    exports2.NoopPolicy = NoopPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/RetryPolicy.js
var require_RetryPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/RetryPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.RetryPolicy = void 0;
    var ConstantBackoff_1 = require_ConstantBackoff(), abort_1 = require_abort(), Event_1 = require_Event(), delay = (duration, unref) => new Promise((resolve) => {
      let timer = setTimeout(resolve, duration);
      unref && timer.unref();
    }), RetryPolicy = class _RetryPolicy {
      constructor(options, executor) {
        this.options = options, this.executor = executor, this.onGiveUpEmitter = new Event_1.EventEmitter(), this.onRetryEmitter = new Event_1.EventEmitter(), this.onSuccess = this.executor.onSuccess, this.onFailure = this.executor.onFailure, this.onRetry = this.onRetryEmitter.addListener, this.onGiveUp = this.onGiveUpEmitter.addListener;
      }
      /**
       * When retrying, a referenced timer is created. This means the Node.js event
       * loop is kept active while we're delaying a retried call. Calling this
       * method on the retry builder will unreference the timer, allowing the
       * process to exit even if a retry might still be pending.
       */
      dangerouslyUnref() {
        return new _RetryPolicy({ ...this.options, unref: !0 }, this.executor.clone());
      }
      /**
       * Executes the given function with retries.
       * @param fn Function to run
       * @returns a Promise that resolves or rejects with the function results.
       */
      async execute(fn, signal = abort_1.neverAbortedSignal) {
        let factory = this.options.backoff || new ConstantBackoff_1.ConstantBackoff(0), backoff;
        for (let retries = 0; ; retries++) {
          let result = await this.executor.invoke(fn, { attempt: retries, signal });
          if ("success" in result)
            return result.success;
          if (!signal.aborted && retries < this.options.maxAttempts) {
            let context = { attempt: retries + 1, signal, result };
            backoff = backoff ? backoff.next(context) : factory.next(context);
            let delayDuration = backoff.duration, delayPromise = delay(delayDuration, !!this.options.unref);
            this.onRetryEmitter.emit({ ...result, delay: delayDuration, attempt: retries + 1 }), await delayPromise;
            continue;
          }
          if (this.onGiveUpEmitter.emit(result), "error" in result)
            throw result.error;
          return result.value;
        }
      }
    };
    exports2.RetryPolicy = RetryPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/TimeoutPolicy.js
var require_TimeoutPolicy = __commonJS({
  "../../../node_modules/cockatiel/dist/TimeoutPolicy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.TimeoutPolicy = exports2.TimeoutStrategy = void 0;
    var abort_1 = require_abort(), Event_1 = require_Event(), Executor_1 = require_Executor(), TaskCancelledError_1 = require_TaskCancelledError(), TimeoutStrategy2;
    (function(TimeoutStrategy3) {
      TimeoutStrategy3.Cooperative = "optimistic", TimeoutStrategy3.Aggressive = "aggressive";
    })(TimeoutStrategy2 || (exports2.TimeoutStrategy = TimeoutStrategy2 = {}));
    var TimeoutPolicy = class _TimeoutPolicy {
      constructor(duration, options, executor = new Executor_1.ExecuteWrapper(), unref = !1) {
        this.duration = duration, this.options = options, this.executor = executor, this.unref = unref, this.timeoutEmitter = new Event_1.EventEmitter(), this.onTimeout = this.timeoutEmitter.addListener, this.onFailure = this.executor.onFailure, this.onSuccess = this.executor.onSuccess;
      }
      /**
       * When timing out, a referenced timer is created. This means the Node.js
       * event loop is kept active while we're waiting for the timeout, as long as
       * the function hasn't returned. Calling this method on the timeout builder
       * will unreference the timer, allowing the process to exit even if a
       * timeout might still be happening.
       */
      dangerouslyUnref() {
        return new _TimeoutPolicy(this.duration, this.options, this.executor, !0);
      }
      /**
       * Executes the given function.
       * @param fn Function to execute. Takes in a nested cancellation token.
       * @throws a {@link TaskCancelledError} if a timeout occurs
       */
      async execute(fn, signal) {
        let { ctrl: aborter, dispose: disposeAbort } = (0, abort_1.deriveAbortController)(signal), timer = setTimeout(() => aborter.abort(), this.duration);
        this.unref && timer.unref();
        let context = { signal: aborter.signal }, onceAborted = (0, Event_1.onAbort)(aborter.signal), onCancelledListener = onceAborted.event(() => this.timeoutEmitter.emit());
        try {
          return this.options.strategy === TimeoutStrategy2.Cooperative ? (0, Executor_1.returnOrThrow)(await this.executor.invoke(fn, context, aborter.signal)) : await this.executor.invoke(async () => Promise.race([
            Promise.resolve(fn(context, aborter.signal)),
            Event_1.Event.toPromise(onceAborted.event).then(() => {
              throw new TaskCancelledError_1.TaskCancelledError(`Operation timed out after ${this.duration}ms`);
            })
          ])).then(Executor_1.returnOrThrow);
        } finally {
          onCancelledListener.dispose(), onceAborted.dispose(), this.options.abortOnReturn !== !1 && aborter.abort(), clearTimeout(timer), disposeAbort();
        }
      }
    };
    exports2.TimeoutPolicy = TimeoutPolicy;
  }
});

// ../../../node_modules/cockatiel/dist/Policy.js
var require_Policy = __commonJS({
  "../../../node_modules/cockatiel/dist/Policy.js"(exports2) {
    "use strict";
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.handleAll = exports2.noop = exports2.Policy = void 0;
    exports2.handleType = handleType;
    exports2.handleWhen = handleWhen2;
    exports2.handleResultType = handleResultType;
    exports2.handleWhenResult = handleWhenResult;
    exports2.bulkhead = bulkhead;
    exports2.usePolicy = usePolicy;
    exports2.timeout = timeout2;
    exports2.wrap = wrap2;
    exports2.retry = retry;
    exports2.circuitBreaker = circuitBreaker2;
    exports2.fallback = fallback;
    var Backoff_1 = require_Backoff(), BulkheadPolicy_1 = require_BulkheadPolicy(), CircuitBreakerPolicy_1 = require_CircuitBreakerPolicy(), Executor_1 = require_Executor(), FallbackPolicy_1 = require_FallbackPolicy(), NoopPolicy_1 = require_NoopPolicy(), RetryPolicy_1 = require_RetryPolicy(), TimeoutPolicy_1 = require_TimeoutPolicy(), typeFilter = (cls, predicate) => predicate ? (v) => v instanceof cls && predicate(v) : (v) => v instanceof cls, always = () => !0, never = () => !1, Policy = class _Policy {
      /**
       * Factory that builds a base set of filters that can be used in circuit
       * breakers, retries, etc.
       */
      constructor(options) {
        this.options = options;
      }
      /**
       * Allows the policy to additionally handles errors of the given type.
       *
       * @param cls Class constructor to check that the error is an instance of.
       * @param predicate If provided, a function to be called with the error
       * which should return "true" if we want to handle this error.
       * @example
       * ```js
       * // retry both network errors and response errors with a 503 status code
       * new Policy()
       *  .orType(NetworkError)
       *  .orType(ResponseError, err => err.statusCode === 503)
       *  .retry()
       *  .attempts(3)
       *  .execute(() => getJsonFrom('https://example.com'));
       * ```
       */
      orType(cls, predicate) {
        let filter = typeFilter(cls, predicate);
        return new _Policy({
          ...this.options,
          errorFilter: (e) => this.options.errorFilter(e) || filter(e)
        });
      }
      /**
       * Allows the policy to additionally handles errors that pass the given
       * predicate function.
       *
       * @param predicate Takes any thrown error, and returns true if it should
       * be retried by this policy.
       * @example
       * ```js
       * // only retry if the error has a "shouldBeRetried" property set
       * new Policy()
       *  .orWhen(err => err.shouldBeRetried === true)
       *  .retry()
       *  .attempts(3)
       *  .execute(() => getJsonFrom('https://example.com'));
       * ```
       */
      orWhen(predicate) {
        return new _Policy({
          ...this.options,
          errorFilter: (e) => this.options.errorFilter(e) || predicate(e)
        });
      }
      /**
       * Adds handling for return values. The predicate will be called with
       * the return value of the executed function,
       *
       * @param predicate Takes the returned value, and returns true if it
       * should be retried by this policy.
       * @example
       * ```js
       * // retry when the response status code is a 5xx
       * new Policy()
       *  .orResultWhen(res => res.statusCode >= 500)
       *  .retry()
       *  .attempts(3)
       *  .execute(() => getJsonFrom('https://example.com'));
       * ```
       */
      orWhenResult(predicate) {
        return new _Policy({
          ...this.options,
          resultFilter: (r) => this.options.resultFilter(r) || predicate(r)
        });
      }
      /**
       * Adds handling for return values. The predicate will be called with
       * the return value of the executed function,
       *
       * @param predicate Takes the returned value, and returns true if it
       * should be retried by this policy.
       * @example
       * ```js
       * // retry when the response status code is a 5xx
       * new Policy()
       *  .orResultType(res => res.statusCode >= 500)
       *  .retry()
       *  .attempts(3)
       *  .execute(() => getJsonFrom('https://example.com'));
       * ```
       */
      orResultType(cls, predicate) {
        let filter = typeFilter(cls, predicate);
        return new _Policy({
          ...this.options,
          resultFilter: (r) => this.options.resultFilter(r) || filter(r)
        });
      }
    };
    exports2.Policy = Policy;
    exports2.noop = new NoopPolicy_1.NoopPolicy();
    exports2.handleAll = new Policy({ errorFilter: always, resultFilter: never });
    function handleType(cls, predicate) {
      return new Policy({ errorFilter: typeFilter(cls, predicate), resultFilter: never });
    }
    function handleWhen2(predicate) {
      return new Policy({ errorFilter: predicate, resultFilter: never });
    }
    function handleResultType(cls, predicate) {
      return new Policy({ errorFilter: never, resultFilter: typeFilter(cls, predicate) });
    }
    function handleWhenResult(predicate) {
      return new Policy({ errorFilter: never, resultFilter: predicate });
    }
    function bulkhead(limit, queue = 0) {
      return new BulkheadPolicy_1.BulkheadPolicy(limit, queue);
    }
    function usePolicy(policy) {
      return (_target, _key, descriptor) => {
        let inner = descriptor.value;
        if (typeof inner != "function")
          throw new Error(`Can only decorate functions with @cockatiel, got ${typeof inner}`);
        descriptor.value = function(...args) {
          let signal = args[args.length - 1] instanceof AbortSignal ? args.pop() : void 0;
          return policy.execute((context) => inner.apply(this, [...args, context]), signal);
        };
      };
    }
    function timeout2(duration, strategyOrOpts) {
      return new TimeoutPolicy_1.TimeoutPolicy(duration, typeof strategyOrOpts == "string" ? { strategy: strategyOrOpts } : strategyOrOpts);
    }
    function wrap2(...p) {
      return {
        _altReturn: void 0,
        onFailure: p[0].onFailure,
        onSuccess: p[0].onSuccess,
        wrapped: p,
        execute(fn, signal) {
          let run = (context, i) => i === p.length ? fn(context) : p[i].execute((next) => run({ ...context, ...next }, i + 1), context.signal);
          return Promise.resolve(run({ signal }, 0));
        }
      };
    }
    function retry(policy, opts) {
      return new RetryPolicy_1.RetryPolicy({ backoff: opts.backoff || new Backoff_1.ConstantBackoff(0), maxAttempts: opts.maxAttempts ?? 1 / 0 }, new Executor_1.ExecuteWrapper(policy.options.errorFilter, policy.options.resultFilter));
    }
    function circuitBreaker2(policy, opts) {
      return new CircuitBreakerPolicy_1.CircuitBreakerPolicy(opts, new Executor_1.ExecuteWrapper(policy.options.errorFilter, policy.options.resultFilter));
    }
    function fallback(policy, valueOrFactory) {
      return new FallbackPolicy_1.FallbackPolicy(
        new Executor_1.ExecuteWrapper(policy.options.errorFilter, policy.options.resultFilter),
        // not technically type-safe, since if they actually want to _return_
        // a function, that gets lost here. We'll just advice in the docs to
        // use a higher-order function if necessary.
        typeof valueOrFactory == "function" ? valueOrFactory : () => valueOrFactory
      );
    }
  }
});

// ../../../node_modules/cockatiel/dist/index.js
var require_dist3 = __commonJS({
  "../../../node_modules/cockatiel/dist/index.js"(exports2) {
    "use strict";
    var __createBinding = exports2 && exports2.__createBinding || (Object.create ? (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k);
      var desc = Object.getOwnPropertyDescriptor(m, k);
      (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) && (desc = { enumerable: !0, get: function() {
        return m[k];
      } }), Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      k2 === void 0 && (k2 = k), o[k2] = m[k];
    })), __exportStar = exports2 && exports2.__exportStar || function(m, exports3) {
      for (var p in m) p !== "default" && !Object.prototype.hasOwnProperty.call(exports3, p) && __createBinding(exports3, m, p);
    };
    Object.defineProperty(exports2, "__esModule", { value: !0 });
    exports2.EventEmitter = exports2.Event = void 0;
    __exportStar(require_Backoff(), exports2);
    __exportStar(require_Breaker(), exports2);
    __exportStar(require_BulkheadPolicy(), exports2);
    __exportStar(require_CircuitBreakerPolicy(), exports2);
    var Event_1 = require_Event();
    Object.defineProperty(exports2, "Event", { enumerable: !0, get: function() {
      return Event_1.Event;
    } });
    Object.defineProperty(exports2, "EventEmitter", { enumerable: !0, get: function() {
      return Event_1.EventEmitter;
    } });
    __exportStar(require_Errors(), exports2);
    __exportStar(require_FallbackPolicy(), exports2);
    __exportStar(require_NoopPolicy(), exports2);
    __exportStar(require_Policy(), exports2);
    __exportStar(require_RetryPolicy(), exports2);
    __exportStar(require_TimeoutPolicy(), exports2);
  }
});

// src/main.ts
var import_node_crypto2 = require("node:crypto"), import_node_http = require("node:http"), import_node_os = require("node:os"), import_ioredis = __toESM(require_built3(), 1);

// src/shard.ts
function shardOf(accountId, shardCount) {
  let h = 2166136261, s = String(accountId);
  for (let i = 0; i < s.length; i++)
    h ^= s.charCodeAt(i), h = Math.imul(h, 16777619) >>> 0;
  return h % shardCount;
}
function seedIdsOf(shard, shardCount, perShard) {
  let ids = [];
  for (let id = 1; ids.length < perShard; id++) shardOf(id, shardCount) === shard && ids.push(id);
  return ids;
}

// src/accounts.ts
var Accounts = class {
  constructor(shards) {
    this.shards = shards;
  }
  shards;
  shardFor(id) {
    let index = shardOf(id, this.shards.length);
    return { shard: this.shards[index], index };
  }
  /** The account, or null when its shard has no such id. */
  async get(id) {
    let { shard, index } = this.shardFor(id);
    return shard.dependency.call(async () => {
      let r = await shard.pool.query("SELECT balance_cents FROM accounts WHERE id = $1", [
        id
      ]);
      return r.rows[0] ? { id, balanceCents: Number(r.rows[0].balance_cents), shard: index + 1 } : null;
    });
  }
  /** Adds `amountCents` once per idempotency key, in one transaction on the account's shard. */
  async credit(id, amountCents, key) {
    let { shard, index } = this.shardFor(id);
    return shard.dependency.call(async () => {
      let client = await shard.pool.connect();
      try {
        if (await client.query("BEGIN"), (await client.query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", [id])).rowCount === 0)
          return await client.query("ROLLBACK"), { account: null, replayed: !1 };
        let replayed = (await client.query(
          "INSERT INTO credits (idempotency_key, account_id, amount_cents) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          [key, id, amountCents]
        )).rowCount === 0, r = replayed ? await client.query("SELECT balance_cents FROM accounts WHERE id = $1", [id]) : await client.query(
          "UPDATE accounts SET balance_cents = balance_cents + $2, updated_at = now() WHERE id = $1 RETURNING balance_cents",
          [id, amountCents]
        );
        return await client.query("COMMIT"), { account: { id, balanceCents: Number(r.rows[0].balance_cents), shard: index + 1 }, replayed };
      } catch (err) {
        throw await client.query("ROLLBACK").catch(() => {
        }), err;
      } finally {
        client.release();
      }
    });
  }
};

// src/config.ts
function readConfig(env, hostname2) {
  let problems2 = [], switchOf = (name) => {
    let raw = env[name];
    if (raw === void 0 || raw === "") return "on";
    let v = raw.trim().toLowerCase();
    return v === "on" || v === "true" || v === "1" ? "on" : v === "off" || v === "false" || v === "0" ? "off" : (problems2.push(`${name}=${JSON.stringify(raw)} is not a switch value (expected on or off)`), "on");
  }, intOf = (name, dflt, min) => {
    let raw = env[name];
    if (raw === void 0 || raw === "") return dflt;
    let n = Number(raw);
    return !Number.isInteger(n) || n < min ? (problems2.push(`${name}=${JSON.stringify(raw)} is not an integer >= ${min}`), dflt) : n;
  }, str = (name, dflt) => env[name] || dflt, config = {
    instance: str("INSTANCE", hostname2),
    port: intOf("PORT", 3e3, 1),
    cacheUrl: str("CACHE_URL", "redis://toxiproxy:16379"),
    queueUrl: str("QUEUE_URL", "redis://toxiproxy:16380"),
    dbWriteUrl: str("DB_WRITE_URL", "postgres://app:app@toxiproxy:15432/webstack"),
    dbReadUrl: str("DB_READ_URL", "postgres://app:app@toxiproxy:15433/webstack"),
    shardUrls: str(
      "SHARD_URLS",
      "postgres://app:app@toxiproxy:15434/webstack,postgres://app:app@toxiproxy:15435/webstack"
    ).split(",").map((s) => s.trim()).filter(Boolean),
    dbNodes: str("DB_NODES", "db1:5432,db2:5432,db3:5432").split(",").map((s) => s.trim()).filter(Boolean),
    stampedeProtection: switchOf("STAMPEDE_PROTECTION"),
    circuitBreaker: switchOf("CIRCUIT_BREAKER"),
    dbFailover: switchOf("DB_FAILOVER"),
    rateLimit: switchOf("RATE_LIMIT"),
    rateLimitRps: intOf("RATE_LIMIT_RPS", 1e3, 1),
    rateLimitBurst: intOf("RATE_LIMIT_BURST", 2e3, 1),
    cacheTtlS: intOf("CACHE_TTL_S", 30, 1),
    cacheStaleS: intOf("CACHE_STALE_S", 300, 0),
    dbTimeoutMs: intOf("DB_TIMEOUT_MS", 1e3, 1),
    redisTimeoutMs: intOf("REDIS_TIMEOUT_MS", 250, 1),
    breakerFailures: intOf("BREAKER_FAILURES", 5, 1),
    breakerHalfOpenMs: intOf("BREAKER_HALF_OPEN_MS", 5e3, 1),
    poolSize: intOf("POOL_SIZE", 10, 1),
    seedUsers: intOf("SEED_USERS", 1e4, 0),
    seedAccountsPerShard: intOf("SEED_ACCOUNTS_PER_SHARD", 1e3, 0),
    queueMaxDeliveries: intOf("QUEUE_MAX_DELIVERIES", 3, 1),
    queueRetryIdleMs: intOf("QUEUE_RETRY_IDLE_MS", 1e4, 100),
    shutdownGraceMs: intOf("SHUTDOWN_GRACE_MS", 8e3, 0)
  };
  return config.shardUrls.length < 1 && problems2.push("SHARD_URLS is empty (expected a comma-separated list of URLs)"), config.dbNodes.length < 1 && problems2.push("DB_NODES is empty (expected host:port,host:port,...)"), { config, problems: problems2 };
}

// ../../../node_modules/pg/esm/index.mjs
var import_lib = __toESM(require_lib3(), 1), Client = import_lib.default.Client, Pool = import_lib.default.Pool, Connection = import_lib.default.Connection, types = import_lib.default.types, Query = import_lib.default.Query, DatabaseError = import_lib.default.DatabaseError, escapeIdentifier = import_lib.default.escapeIdentifier, escapeLiteral = import_lib.default.escapeLiteral, Result = import_lib.default.Result, TypeOverrides = import_lib.default.TypeOverrides, defaults = import_lib.default.defaults, esm_default = import_lib.default;

// src/db.ts
var import_prom_client2 = __toESM(require_prom_client(), 1);

// src/log.ts
function log(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ t: (/* @__PURE__ */ new Date()).toISOString(), level, msg, ...fields })}
`);
}
function errorText(err) {
  return err instanceof AggregateError && err.errors.length > 0 ? errorText(err.errors[0]) : err instanceof Error ? err.code ? `${err.message} (${err.code})` : err.message : String(err);
}

// src/metrics.ts
var import_prom_client = __toESM(require_prom_client(), 1), registry = new import_prom_client.Registry();
(0, import_prom_client.collectDefaultMetrics)({ register: registry });
var httpRequests = new import_prom_client.Counter({
  name: "http_requests_total",
  help: "HTTP requests by route, method and status",
  labelNames: ["route", "method", "status"],
  registers: [registry]
}), httpDuration = new import_prom_client.Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request latency in seconds",
  labelNames: ["route", "method"],
  buckets: [2e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry]
}), cacheHits = new import_prom_client.Counter({
  name: "cache_hits_total",
  help: "Cache reads that found a fresh value",
  labelNames: ["cache"],
  registers: [registry]
}), cacheMisses = new import_prom_client.Counter({
  name: "cache_misses_total",
  help: "Cache reads that found nothing fresh",
  labelNames: ["cache"],
  registers: [registry]
}), cacheStaleServed = new import_prom_client.Counter({
  name: "cache_stale_served_total",
  help: "Stale cached values served because the origin was unavailable",
  labelNames: ["cache"],
  registers: [registry]
}), cacheEarlyRefreshes = new import_prom_client.Counter({
  name: "cache_early_refreshes_total",
  help: "Probabilistic early refreshes started before expiry",
  labelNames: ["cache"],
  registers: [registry]
}), originQueries = new import_prom_client.Counter({
  name: "origin_db_queries_total",
  help: "Queries sent to the origin database, by query name and key (hot keys by id, others 'cold')",
  labelNames: ["query", "key"],
  registers: [registry]
}), breakerState = new import_prom_client.Gauge({
  name: "circuit_breaker_state",
  help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open",
  labelNames: ["dependency"],
  registers: [registry]
}), breakerTransitions = new import_prom_client.Counter({
  name: "circuit_breaker_transitions_total",
  help: "Circuit breaker transitions per dependency and target state",
  labelNames: ["dependency", "to"],
  registers: [registry]
}), dependencyCalls = new import_prom_client.Counter({
  name: "dependency_calls_total",
  help: "Dependency calls by dependency and outcome (ok, error, timeout, rejected)",
  labelNames: ["dependency", "outcome"],
  registers: [registry]
}), rateLimited = new import_prom_client.Counter({
  name: "rate_limited_total",
  help: "Requests refused with 429 by the token-bucket rate limiter",
  registers: [registry]
}), queueEvents = new import_prom_client.Counter({
  name: "queue_events_total",
  help: "Order events by outcome: published, publish_failed, processed, retried, dead_lettered",
  labelNames: ["outcome"],
  registers: [registry]
}), ordersWritten = new import_prom_client.Counter({
  name: "orders_total",
  help: "POST /orders outcomes: created, replayed",
  labelNames: ["outcome"],
  registers: [registry]
}), HOT_KEYS = 100;
function keyLabel(prefix, id) {
  return id <= HOT_KEYS ? `${prefix}:${id}` : "cold";
}

// src/db.ts
function describe(url) {
  try {
    let u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
function makePool(name, url, cfg2) {
  let pool = new esm_default.Pool({
    connectionString: url,
    max: cfg2.poolSize,
    idleTimeoutMillis: 3e4,
    connectionTimeoutMillis: cfg2.dbTimeoutMs,
    // Server side too: a query stuck behind a slow link does not hold the server forever.
    statement_timeout: Math.max(cfg2.dbTimeoutMs * 5, 5e3),
    keepAlive: !0,
    application_name: `webstack-${cfg2.instance}-${name}`
  });
  return pool.on("error", (err) => log("warn", `pool ${name}: idle connection lost`, { error: errorText(err) })), { name, pool, target: describe(url) };
}
async function findPrimaryUrl(cfg2) {
  let base = new URL(cfg2.dbWriteUrl), problems2 = [];
  for (let node of cfg2.dbNodes) {
    let [host, port] = node.split(":"), u = new URL(base.toString());
    u.hostname = host ?? node, u.port = port ?? "5432";
    let client = new esm_default.Client({ connectionString: u.toString(), connectionTimeoutMillis: cfg2.dbTimeoutMs });
    try {
      if (await client.connect(), (await client.query("SELECT pg_is_in_recovery() AS standby")).rows[0]?.standby === !1) return u.toString();
      problems2.push(`${node}: a replica`);
    } catch (err) {
      problems2.push(`${node}: ${errorText(err)}`);
    } finally {
      await client.end().catch(() => {
      });
    }
  }
  throw new Error(`no primary among DB_NODES (${problems2.join("; ")})`);
}
function registerPoolMetrics(pools) {
  new import_prom_client2.Gauge({
    name: "db_pool_connections",
    help: "PostgreSQL pool clients by pool and state (total, idle, waiting)",
    labelNames: ["pool", "state"],
    registers: [registry],
    collect() {
      for (let p of pools())
        this.set({ pool: p.name, state: "total" }, p.pool.totalCount), this.set({ pool: p.name, state: "idle" }, p.pool.idleCount), this.set({ pool: p.name, state: "waiting" }, p.pool.waitingCount);
    }
  });
}

// src/dependency.ts
var import_cockatiel = __toESM(require_dist3(), 1);
var Unavailable = class extends Error {
  constructor(dependency, reason, retryAfterS, cause) {
    super(`${dependency} unavailable (${reason})`, { cause });
    this.dependency = dependency;
    this.reason = reason;
    this.retryAfterS = retryAfterS;
  }
  dependency;
  reason;
  retryAfterS;
}, ClientError = class extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
  status;
};
function isInfraFailure(err) {
  if (err instanceof ClientError) return !1;
  let code = err.code;
  return !(typeof code == "string" && /^2[23]/.test(code));
}
var Dependency = class {
  constructor(name, opts) {
    this.name = name;
    this.opts = opts;
    let t = (0, import_cockatiel.timeout)(opts.timeoutMs, import_cockatiel.TimeoutStrategy.Aggressive);
    if (breakerState.set({ dependency: name }, 0), opts.breaker) {
      let cb = (0, import_cockatiel.circuitBreaker)((0, import_cockatiel.handleWhen)(isInfraFailure), {
        halfOpenAfter: opts.halfOpenAfterMs,
        breaker: new import_cockatiel.ConsecutiveBreaker(opts.breakerFailures)
      });
      cb.onStateChange((state) => {
        let to = state === import_cockatiel.CircuitState.Open ? "open" : state === import_cockatiel.CircuitState.HalfOpen ? "half-open" : "closed";
        state === import_cockatiel.CircuitState.Open && (this.openedAtMs = Date.now()), breakerState.set(
          { dependency: name },
          state === import_cockatiel.CircuitState.Open ? 2 : state === import_cockatiel.CircuitState.HalfOpen ? 1 : 0
        ), breakerTransitions.inc({ dependency: name, to }), log(state === import_cockatiel.CircuitState.Closed ? "info" : "warn", `breaker ${name} ${to}`, { dependency: name });
      }), this.breakerPolicy = cb, this.policy = (0, import_cockatiel.wrap)(cb, t);
    } else
      this.policy = t;
  }
  name;
  opts;
  policy;
  breakerPolicy;
  openedAtMs = 0;
  /** "closed", "open", "half-open", or "off" when breakers are switched off. */
  state() {
    if (!this.breakerPolicy) return "off";
    let s = this.breakerPolicy.state;
    return s === import_cockatiel.CircuitState.Open || s === import_cockatiel.CircuitState.Isolated ? "open" : s === import_cockatiel.CircuitState.HalfOpen ? "half-open" : "closed";
  }
  /** Seconds until the breaker lets a trial call through (at least 1). */
  retryAfterS() {
    if (this.state() !== "open") return 1;
    let leftMs = this.opts.halfOpenAfterMs - (Date.now() - this.openedAtMs);
    return Math.max(1, Math.ceil(leftMs / 1e3));
  }
  /**
   * Throws {@link Unavailable} at once while the breaker is open and not yet due for its trial
   * call, so a caller can skip the work that would precede the call (a cache lock, say).
   */
  rejectIfOpen() {
    if (!(this.state() !== "open" || Date.now() - this.openedAtMs >= this.opts.halfOpenAfterMs))
      throw dependencyCalls.inc({ dependency: this.name, outcome: "rejected" }), new Unavailable(this.name, "open", this.retryAfterS());
  }
  /** Runs `fn` under the timeout and breaker; `signal` aborts when the timeout fires. */
  async call(fn) {
    if (this.state() === "half-open")
      throw dependencyCalls.inc({ dependency: this.name, outcome: "rejected" }), new Unavailable(this.name, "open", this.retryAfterS());
    try {
      let v = await this.policy.execute(({ signal }) => fn(signal));
      return dependencyCalls.inc({ dependency: this.name, outcome: "ok" }), v;
    } catch (err) {
      throw err instanceof ClientError || !isInfraFailure(err) ? (dependencyCalls.inc({ dependency: this.name, outcome: "ok" }), err) : (0, import_cockatiel.isBrokenCircuitError)(err) || err instanceof import_cockatiel.BrokenCircuitError ? (dependencyCalls.inc({ dependency: this.name, outcome: "rejected" }), new Unavailable(this.name, "open", this.retryAfterS(), err)) : (0, import_cockatiel.isTaskCancelledError)(err) ? (dependencyCalls.inc({ dependency: this.name, outcome: "timeout" }), new Unavailable(this.name, "timeout", this.retryAfterS(), err)) : (dependencyCalls.inc({ dependency: this.name, outcome: "error" }), new Unavailable(this.name, "error", this.retryAfterS(), err));
    }
  }
};

// src/http.ts
function compile(r) {
  let names = [], src = r.pattern.replace(/:([a-zA-Z]+)/g, (_, n) => (names.push(n), "([^/]+)"));
  return { ...r, re: new RegExp(`^${src}$`), names };
}
var MAX_BODY_BYTES = 64 * 1024;
async function readBody(req) {
  if (req.method === "GET" || req.method === "HEAD") return {};
  let chunks = [], size = 0;
  for await (let c of req) {
    if (size += c.length, size > MAX_BODY_BYTES) throw new ClientError(413, "body too large");
    chunks.push(c);
  }
  if (size === 0) return {};
  try {
    let v = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (v === null || typeof v != "object" || Array.isArray(v)) throw new Error("not an object");
    return v;
  } catch {
    throw new ClientError(400, "body must be a JSON object");
  }
}
function send(res, reply, instance) {
  let headers = { "x-instance": instance, ...reply.headers }, payload;
  reply.text !== void 0 ? payload = reply.text : (headers["content-type"] = "application/json", payload = JSON.stringify(reply.body ?? {})), res.writeHead(reply.status, headers), res.end(payload);
}
function errorReply(err) {
  return err instanceof ClientError ? { status: err.status, body: { error: err.message } } : err instanceof Unavailable ? {
    status: 503,
    headers: { "retry-after": String(err.retryAfterS) },
    body: { error: err.message, dependency: err.dependency, reason: err.reason }
  } : (log("error", "unexpected error", { error: errorText(err) }), { status: 500, body: { error: "internal error" } });
}
function makeHandler(instance, routes2, gate2) {
  let compiled = routes2.map(compile);
  return (req, res) => {
    let started = process.hrtime.bigint(), path = (req.url ?? "/").split("?")[0] ?? "/", route, params = {};
    for (let r of compiled) {
      if (r.method !== req.method) continue;
      let m = r.re.exec(path);
      if (m) {
        route = r, params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
        break;
      }
    }
    let label = route?.pattern ?? "unmatched";
    (async () => {
      if (!route) return { status: 404, body: { error: `no route ${req.method} ${path}` } };
      let refused = await gate2(route, req);
      if (refused) return refused;
      let body = await readBody(req);
      return route.handler({ req, params, body });
    })().catch(errorReply).then((reply) => {
      send(res, reply, instance);
      let s = Number(process.hrtime.bigint() - started) / 1e9;
      httpRequests.inc({ route: label, method: req.method ?? "?", status: String(reply.status) }), httpDuration.observe({ route: label, method: req.method ?? "?" }, s);
    }).catch((err) => log("error", "could not send a reply", { error: errorText(err) }));
  };
}

// src/orders.ts
function toOrder(r) {
  return {
    id: String(r.id),
    idempotencyKey: r.idempotency_key,
    userId: r.user_id,
    amountCents: r.amount_cents,
    createdAt: r.created_at.toISOString(),
    processedAt: r.processed_at ? r.processed_at.toISOString() : null
  };
}
var COLUMNS = "id, idempotency_key, user_id, amount_cents, created_at, processed_at", Orders = class {
  constructor(pool, dbWrite) {
    this.pool = pool;
    this.dbWrite = dbWrite;
  }
  pool;
  dbWrite;
  /**
   * Inserts the order and resolves after the commit. The idempotency key makes a retry return
   * the first order (`replayed: true`) instead of writing a second one.
   */
  async create(key, userId, amountCents) {
    return this.dbWrite.call(async () => {
      let ins = await this.pool().query(
        `INSERT INTO orders (idempotency_key, user_id, amount_cents) VALUES ($1, $2, $3)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
        [key, userId, amountCents]
      );
      if (ins.rows[0])
        return ordersWritten.inc({ outcome: "created" }), { order: toOrder(ins.rows[0]), replayed: !1 };
      let prev = await this.pool().query(`SELECT ${COLUMNS} FROM orders WHERE idempotency_key = $1`, [key]);
      if (!prev.rows[0]) throw new Error(`order with idempotency key ${key} vanished`);
      return ordersWritten.inc({ outcome: "replayed" }), { order: toOrder(prev.rows[0]), replayed: !0 };
    });
  }
  /** Reads an order from the primary (never a replica: the lost-writes check must see every commit). */
  async get(id) {
    return this.dbWrite.call(async () => {
      let r = await this.pool().query(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
      return r.rows[0] ? toOrder(r.rows[0]) : null;
    });
  }
  /** Marks an order processed (the queue consumer's work). */
  async markProcessed(id) {
    await this.dbWrite.call(
      () => this.pool().query("UPDATE orders SET processed_at = now() WHERE id = $1 AND processed_at IS NULL", [id])
    );
  }
};

// src/queue.ts
var import_prom_client3 = __toESM(require_prom_client(), 1);
var STREAM = "orders", GROUP = "order-processors", DEAD_LETTERS = "orders:dead", BLOCK_MS = 2e3, OrderEvents = class {
  constructor(redis, queue) {
    this.redis = redis;
    this.queue = queue;
  }
  redis;
  queue;
  /** Appends one event; a failure is counted and logged by the caller, the order is already committed. */
  async publish(orderId, userId, amountCents) {
    try {
      await this.queue.call(
        () => this.redis.xadd(
          STREAM,
          "MAXLEN",
          "~",
          "100000",
          "*",
          "orderId",
          orderId,
          "userId",
          String(userId),
          "amountCents",
          String(amountCents)
        )
      ), queueEvents.inc({ outcome: "published" });
    } catch (err) {
      throw queueEvents.inc({ outcome: "publish_failed" }), err;
    }
  }
};
async function ensureGroup(redis) {
  try {
    await redis.xgroup("CREATE", STREAM, GROUP, "0", "MKSTREAM");
  } catch (err) {
    if (!errorText(err).includes("BUSYGROUP")) throw err;
  }
}
function registerQueueMetrics(redis, timeoutMs) {
  let withTimeout = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r(void 0), timeoutMs).unref())]).catch(
    () => {
    }
  );
  new import_prom_client3.Gauge({
    name: "queue_depth",
    help: "Order events not yet processed: undelivered (lag) plus delivered but unacked (pending)",
    labelNames: ["stream", "state"],
    registers: [registry],
    async collect() {
      let groups = await withTimeout(redis.xinfo("GROUPS", STREAM));
      for (let g of groups ?? []) {
        let f = {};
        for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
        f.name === GROUP && (this.set({ stream: STREAM, state: "pending" }, Number(f.pending ?? 0)), this.set({ stream: STREAM, state: "lag" }, Number(f.lag ?? 0)));
      }
    }
  }), new import_prom_client3.Gauge({
    name: "queue_dead_letters",
    help: "Order events in the dead-letter stream",
    registers: [registry],
    async collect() {
      let n = await withTimeout(redis.xlen(DEAD_LETTERS));
      n !== void 0 && this.set(n);
    }
  });
}
var OrderConsumer = class {
  constructor(redis, consumer2, maxDeliveries, retryIdleMs, process2) {
    this.redis = redis;
    this.consumer = consumer2;
    this.maxDeliveries = maxDeliveries;
    this.retryIdleMs = retryIdleMs;
    this.process = process2;
  }
  redis;
  consumer;
  maxDeliveries;
  retryIdleMs;
  process;
  running = !1;
  loop;
  lastError = "";
  start() {
    this.running = !0, this.loop = this.run();
  }
  /** Stops after the current batch (at most one BLOCK period). */
  async stop() {
    this.running = !1, await this.loop;
  }
  async run() {
    let lastClaimMs = 0;
    for (; this.running; )
      try {
        Date.now() - lastClaimMs > Math.min(this.retryIdleMs, 5e3) && (lastClaimMs = Date.now(), await this.retryStale());
        let res = await this.redis.xreadgroup(
          "GROUP",
          GROUP,
          this.consumer,
          "COUNT",
          "20",
          "BLOCK",
          String(BLOCK_MS),
          "STREAMS",
          STREAM,
          ">"
        );
        for (let [, entries] of res ?? []) for (let e of entries) await this.handle(e);
        this.lastError && (log("info", "queue consumer recovered", { consumer: this.consumer }), this.lastError = "");
      } catch (err) {
        let msg = errorText(err);
        msg !== this.lastError && log("warn", "queue consumer error, retrying", { error: msg }), this.lastError = msg, this.running && await new Promise((r) => setTimeout(r, 1e3));
      }
  }
  async handle([id, flat]) {
    let fields = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    try {
      await this.process(fields), await this.redis.xack(STREAM, GROUP, id), queueEvents.inc({ outcome: "processed" });
    } catch (err) {
      log("warn", "order event failed, will retry", { id, error: errorText(err) });
    }
  }
  async retryStale() {
    let [, claimed] = await this.redis.xautoclaim(
      STREAM,
      GROUP,
      this.consumer,
      this.retryIdleMs,
      "0",
      "COUNT",
      20
    );
    for (let entry of claimed ?? []) {
      let [id, flat] = entry;
      if (!flat) continue;
      let info = await this.redis.xpending(STREAM, GROUP, id, id, 1), deliveries = Number(info[0]?.[3] ?? 1);
      if (deliveries > this.maxDeliveries) {
        await this.redis.xadd(DEAD_LETTERS, "*", "id", id, "deliveries", String(deliveries), ...flat), await this.redis.xack(STREAM, GROUP, id), queueEvents.inc({ outcome: "dead_lettered" }), log("warn", "order event dead-lettered", { id, deliveries });
        continue;
      }
      queueEvents.inc({ outcome: "retried" }), await this.handle(entry);
    }
  }
};

// src/rate-limit.ts
var TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local retry_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry_ms}
`, RateLimiter = class {
  constructor(redis, cache, rps, burst) {
    this.redis = redis;
    this.cache = cache;
    this.rps = rps;
    this.burst = burst;
  }
  redis;
  cache;
  rps;
  burst;
  async take(client) {
    let res;
    try {
      res = await this.cache.call(
        () => this.redis.eval(TOKEN_BUCKET, 1, `ratelimit:${client}`, this.rps, this.burst)
      );
    } catch {
      return { allowed: !0, retryAfterS: 0 };
    }
    return res[0] === 1 ? { allowed: !0, retryAfterS: 0 } : (rateLimited.inc(), { allowed: !1, retryAfterS: Math.max(1, Math.ceil(res[1] / 1e3)) });
  }
};

// src/seed.ts
var SEED_LOCK = 4242001;
async function seedPrimary(pool, users2) {
  let client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SEED_LOCK]), await client.query(`
      CREATE TABLE IF NOT EXISTS users (
        id integer PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS orders (
        id bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        user_id integer NOT NULL,
        amount_cents integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      );`), await client.query(
      `INSERT INTO users (id, name, email)
       SELECT g, 'user ' || g, 'user' || g || '@example.test' FROM generate_series(1, $1::int) g
       ON CONFLICT (id) DO NOTHING`,
      [users2]
    );
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => {
    }), client.release();
  }
}
async function seedShard(pool, shard, shardCount, perShard) {
  let client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SEED_LOCK]), await client.query(`
      CREATE TABLE IF NOT EXISTS accounts (
        id integer PRIMARY KEY,
        balance_cents bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS credits (
        idempotency_key text PRIMARY KEY,
        account_id integer NOT NULL,
        amount_cents integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`);
    let ids = seedIdsOf(shard, shardCount, perShard);
    await client.query(
      "INSERT INTO accounts (id, balance_cents) SELECT unnest($1::int[]), 10000 ON CONFLICT (id) DO NOTHING",
      [ids]
    );
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => {
    }), client.release();
  }
}

// src/users.ts
var import_node_crypto = require("node:crypto");
var UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end", EARLY_REFRESH_BETA = 1, LOCK_POLL_MS = 20, Users = class {
  constructor(redis, cache, readPool2, dbRead, opts) {
    this.redis = redis;
    this.cache = cache;
    this.readPool = readPool2;
    this.dbRead = dbRead;
    this.opts = opts;
  }
  redis;
  cache;
  readPool;
  dbRead;
  opts;
  inflight = /* @__PURE__ */ new Map();
  refreshing = /* @__PURE__ */ new Set();
  /** The user with this id; throws {@link Unavailable} when the origin is needed and down. */
  async get(id) {
    let key = `user:${id}`, entry = await this.readEntry(key), now = Date.now();
    if (entry && now < entry.exp)
      return cacheHits.inc({ cache: "users" }), this.opts.stampedeProtection && this.shouldRefreshEarly(entry, now) && this.refreshEarly(id), { user: entry.v, source: "cache" };
    if (cacheMisses.inc({ cache: "users" }), this.dbRead.state() === "open")
      try {
        this.dbRead.rejectIfOpen();
      } catch (err) {
        if (!entry) throw err;
        return cacheStaleServed.inc({ cache: "users" }), { user: entry.v, source: "stale" };
      }
    if (!this.opts.stampedeProtection) return this.loadAndFill(id, entry);
    let shared = this.inflight.get(id);
    if (shared) return shared;
    let p = this.loadLocked(id, entry).finally(() => this.inflight.delete(id));
    return this.inflight.set(id, p), p;
  }
  async readEntry(key) {
    try {
      let raw = await this.cache.call(() => this.redis.get(key));
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }
  shouldRefreshEarly(entry, now) {
    return now - entry.d * EARLY_REFRESH_BETA * Math.log(Math.random()) >= entry.exp;
  }
  refreshEarly(id) {
    this.refreshing.has(id) || (this.refreshing.add(id), cacheEarlyRefreshes.inc({ cache: "users" }), this.loadLocked(id, null, !0).catch((err) => log("warn", "early refresh failed", { id, error: errorText(err) })).finally(() => this.refreshing.delete(id)));
  }
  // One loader across instances: the lock holder queries; the others poll the cache for its value.
  async loadLocked(id, stale, background = !1) {
    let key = `user:${id}`, lockKey = `lock:${key}`, token = (0, import_node_crypto.randomBytes)(8).toString("hex"), lockMs = this.opts.dbTimeoutMs + 1e3, locked;
    try {
      locked = await this.cache.call(() => this.redis.set(lockKey, token, "PX", lockMs, "NX")) === "OK";
    } catch {
      return this.loadAndFill(id, stale);
    }
    if (locked)
      try {
        return await this.loadAndFill(id, stale);
      } finally {
        this.cache.call(() => this.redis.eval(UNLOCK, 1, lockKey, token)).catch(() => {
        });
      }
    if (background) return { user: stale?.v ?? null, source: "stale" };
    let deadline = Date.now() + lockMs;
    for (; Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      let e = await this.readEntry(key);
      if (e && Date.now() < e.exp) return { user: e.v, source: "cache" };
      if (!e && await this.cache.call(() => this.redis.exists(lockKey)).catch(() => 0) === 0)
        break;
    }
    return this.loadAndFill(id, stale);
  }
  async loadAndFill(id, stale) {
    let started = Date.now(), user;
    try {
      user = await this.dbRead.call(async () => (originQueries.inc({ query: "user_by_id", key: keyLabel("user", id) }), (await this.readPool.query("SELECT id, name, email FROM users WHERE id = $1", [id])).rows[0] ?? null));
    } catch (err) {
      if (err instanceof Unavailable && stale)
        return cacheStaleServed.inc({ cache: "users" }), { user: stale.v, source: "stale" };
      throw err;
    }
    let entry = { v: user, d: Date.now() - started, exp: Date.now() + this.opts.cacheTtlS * 1e3 }, pxMs = (this.opts.cacheTtlS + this.opts.cacheStaleS) * 1e3;
    return await this.cache.call(() => this.redis.set(`user:${id}`, JSON.stringify(entry), "PX", pxMs)).catch(() => {
    }), { user, source: "origin" };
  }
};

// src/main.ts
var { config: cfg, problems } = readConfig(process.env, (0, import_node_os.hostname)()), phase = problems.length ? "misconfigured" : "starting", waitingFor = "", lastError = "", breakerOn = cfg.circuitBreaker === "on", dep = (name, timeoutMs) => new Dependency(name, {
  timeoutMs,
  breaker: breakerOn,
  breakerFailures: cfg.breakerFailures,
  halfOpenAfterMs: cfg.breakerHalfOpenMs
}), deps = {
  cache: dep("cache", cfg.redisTimeoutMs),
  db_write: dep("db_write", cfg.dbTimeoutMs),
  db_read: dep("db_read", cfg.dbTimeoutMs),
  shard1: dep("shard1", cfg.dbTimeoutMs),
  shard2: dep("shard2", cfg.dbTimeoutMs),
  queue: dep("queue", cfg.redisTimeoutMs)
};
function redisClient(name, url, blocking = !1) {
  let r = new import_ioredis.Redis(url, {
    lazyConnect: !0,
    connectTimeout: 2e3,
    // Fail fast while disconnected (the breaker counts it) instead of queueing commands.
    enableOfflineQueue: !1,
    maxRetriesPerRequest: blocking ? null : 0,
    retryStrategy: (times) => Math.min(200 * times, 2e3)
  }), last = "";
  return r.on("error", (err) => {
    let msg = errorText(err);
    msg !== last && log("warn", `redis ${name}: ${msg}`), last = msg;
  }), r.on("ready", () => {
    last && log("info", `redis ${name}: connected`), last = "";
  }), r;
}
var cacheRedis = redisClient("cache", cfg.cacheUrl), queueRedis = redisClient("queue", cfg.queueUrl), consumerRedis = redisClient("queue-consumer", cfg.queueUrl, !0), writePool, readPool = makePool("read", cfg.dbReadUrl, cfg), shardPools = cfg.shardUrls.map((u, i) => makePool(`shard${i + 1}`, u, cfg));
registerPoolMetrics(() => [...writePool ? [writePool] : [], readPool, ...shardPools]);
registerQueueMetrics(queueRedis, cfg.redisTimeoutMs);
var users = new Users(cacheRedis, deps.cache, readPool.pool, deps.db_read, {
  cacheTtlS: cfg.cacheTtlS,
  cacheStaleS: cfg.cacheStaleS,
  stampedeProtection: cfg.stampedeProtection === "on",
  dbTimeoutMs: cfg.dbTimeoutMs
}), orders = new Orders(() => writePool.pool, deps.db_write), shardDeps = [deps.shard1, deps.shard2], accounts = new Accounts(shardPools.map((p, i) => ({ pool: p.pool, dependency: shardDeps[i] }))), events = new OrderEvents(queueRedis, deps.queue), limiter = new RateLimiter(cacheRedis, deps.cache, cfg.rateLimitRps, cfg.rateLimitBurst), consumer = new OrderConsumer(
  consumerRedis,
  cfg.instance,
  cfg.queueMaxDeliveries,
  cfg.queueRetryIdleMs,
  async (f) => {
    if (!f.orderId) throw new Error("event without orderId");
    await orders.markProcessed(f.orderId);
  }
);
function positiveInt(raw, what) {
  let n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ClientError(400, `${what} must be a positive integer`);
  return n;
}
function switches() {
  return {
    STAMPEDE_PROTECTION: cfg.stampedeProtection,
    CIRCUIT_BREAKER: cfg.circuitBreaker,
    DB_FAILOVER: cfg.dbFailover,
    RATE_LIMIT: cfg.rateLimit
  };
}
function dependencyStates() {
  return Object.fromEntries(Object.values(deps).map((d) => [d.name, d.state()]));
}
function healthReply() {
  let body = {
    status: phase === "ready" ? "ok" : phase,
    instance: cfg.instance,
    switches: switches(),
    dependencies: dependencyStates(),
    ...phase === "misconfigured" ? { problems } : {},
    ...phase === "starting" ? { waitingFor, lastError } : {}
  };
  return { status: phase === "ready" ? 200 : 503, body };
}
var routes = [
  // Liveness + startup readiness: the lb and Docker's healthcheck use it. An outage after start does
  // not fail it (the breakers and fallbacks answer instead); /health/ready reports those.
  { method: "GET", pattern: "/health", limited: !1, handler: async () => healthReply() },
  {
    method: "GET",
    pattern: "/health/ready",
    limited: !1,
    handler: async () => {
      let h = healthReply();
      return Object.entries(dependencyStates()).filter(([, s]) => s === "open").length && h.status === 200 ? { ...h, status: 503 } : h;
    }
  },
  {
    method: "GET",
    pattern: "/metrics",
    limited: !1,
    handler: async () => ({
      status: 200,
      headers: { "content-type": registry.contentType },
      text: await registry.metrics()
    })
  },
  {
    method: "GET",
    pattern: "/users/:id",
    limited: !0,
    handler: async ({ params }) => {
      let r = await users.get(positiveInt(params.id, "user id")), headers = { "x-cache": r.source };
      return r.user ? { status: 200, body: r.user, headers } : { status: 404, body: { error: "no such user" }, headers };
    }
  },
  {
    method: "POST",
    pattern: "/orders",
    limited: !0,
    handler: async ({ req, body }) => {
      let userId = positiveInt(String(body.userId ?? ""), "userId"), amountCents = positiveInt(String(body.amountCents ?? ""), "amountCents"), headerKey = req.headers["idempotency-key"], key = typeof headerKey == "string" && headerKey || typeof body.idempotencyKey == "string" && body.idempotencyKey || (0, import_node_crypto2.randomUUID)(), { order, replayed } = await orders.create(key, userId, amountCents);
      return replayed || await events.publish(order.id, userId, amountCents).catch((err) => log("warn", "order event not published", { orderId: order.id, error: errorText(err) })), { status: replayed ? 200 : 201, body: order, headers: replayed ? { "idempotent-replayed": "true" } : {} };
    }
  },
  {
    method: "GET",
    pattern: "/orders/:id",
    limited: !0,
    handler: async ({ params }) => {
      let id = String(positiveInt(params.id, "order id")), order = await orders.get(id);
      return order ? { status: 200, body: order } : { status: 404, body: { error: "no such order" } };
    }
  },
  {
    method: "GET",
    pattern: "/accounts/:id",
    limited: !0,
    handler: async ({ params }) => {
      let a = await accounts.get(positiveInt(params.id, "account id"));
      return a ? { status: 200, body: a } : { status: 404, body: { error: "no such account" } };
    }
  },
  {
    method: "POST",
    pattern: "/accounts/:id/credit",
    limited: !0,
    handler: async ({ req, params, body }) => {
      let id = positiveInt(params.id, "account id"), amountCents = positiveInt(String(body.amountCents ?? ""), "amountCents"), headerKey = req.headers["idempotency-key"], key = typeof headerKey == "string" && headerKey || (0, import_node_crypto2.randomUUID)(), r = await accounts.credit(id, amountCents, key);
      return r.account ? { status: r.replayed ? 200 : 201, body: r.account } : { status: 404, body: { error: "no such account" } };
    }
  }
];
function clientOf(req) {
  let id = req.headers["x-client-id"];
  if (typeof id == "string" && id) return id.slice(0, 128);
  let fwd = req.headers["x-forwarded-for"];
  return typeof fwd == "string" && fwd ? fwd.split(",")[0].trim() : req.socket.remoteAddress ?? "unknown";
}
async function gate(route, req) {
  if (!route.limited) return null;
  if (phase !== "ready")
    return { status: 503, headers: { "retry-after": "1" }, body: { error: `app is ${phase}` } };
  if (cfg.rateLimit === "off") return null;
  let d = await limiter.take(clientOf(req));
  return d.allowed ? null : { status: 429, headers: { "retry-after": String(d.retryAfterS) }, body: { error: "rate limit exceeded" } };
}
var server = (0, import_node_http.createServer)(makeHandler(cfg.instance, routes, gate));
server.keepAliveTimeout = 65e3;
server.listen(
  cfg.port,
  () => log("info", `listening on :${cfg.port}`, { instance: cfg.instance, switches: switches() })
);
async function step(name, fn) {
  waitingFor = name;
  let lastLogged = "", lastLoggedAt = 0;
  for (; ; ) {
    if (phase !== "starting") throw new Error("startup abandoned");
    try {
      await fn(), lastLogged && log("info", `${name} reachable`), lastError = "";
      return;
    } catch (err) {
      lastError = errorText(err), (lastError !== lastLogged || Date.now() - lastLoggedAt > 15e3) && (log("warn", `waiting for ${name}: ${lastError}`, { dependency: name }), lastLogged = lastError, lastLoggedAt = Date.now()), await new Promise((r) => setTimeout(r, 1e3));
    }
  }
}
async function start() {
  let t0 = Date.now();
  if (cfg.dbFailover === "on")
    writePool = makePool("write", cfg.dbWriteUrl, cfg);
  else {
    let url = "";
    await step("a primary among DB_NODES (DB_FAILOVER=off)", async () => {
      url = await findPrimaryUrl(cfg);
    }), writePool = makePool("write", url, cfg), log("warn", `DB_FAILOVER=off: writes pinned to ${writePool.target}, a failover will not be followed`);
  }
  await step(`db_write (${writePool.target})`, () => seedPrimary(writePool.pool, cfg.seedUsers)), await step(`db_read (${readPool.target})`, () => readPool.pool.query("SELECT 1 FROM users LIMIT 1"));
  for (let [i, p] of shardPools.entries())
    await step(`shard${i + 1} (${p.target})`, () => seedShard(p.pool, i, shardPools.length, cfg.seedAccountsPerShard));
  await step("cache", async () => {
    cacheRedis.status !== "ready" && await cacheRedis.connect().catch(() => {
    }), await cacheRedis.ping();
  }), await step("queue", async () => {
    queueRedis.status !== "ready" && await queueRedis.connect().catch(() => {
    }), await ensureGroup(queueRedis);
  }), await consumerRedis.connect().catch(() => {
  }), consumer.start(), phase = "ready", waitingFor = "", log("info", `ready in ${Date.now() - t0} ms`, { instance: cfg.instance });
}
if (phase === "misconfigured") {
  for (let p of problems) log("error", `configuration error: ${p}`);
  log("error", "not starting: fix the configuration above; /health answers 503 until then");
} else
  start().catch((err) => {
    phase === "starting" && log("error", `start failed: ${errorText(err)}`);
  });
async function shutdown(signal) {
  if (phase === "draining") return;
  log("info", `${signal}: draining (at most ${cfg.shutdownGraceMs} ms)`), phase = "draining";
  let closed = new Promise((r) => server.close(() => r()));
  server.closeIdleConnections(), await Promise.race([closed, new Promise((r) => setTimeout(r, cfg.shutdownGraceMs))]), server.closeAllConnections(), await Promise.race([
    Promise.allSettled([
      consumer.stop(),
      ...writePool ? [writePool.pool.end()] : [],
      readPool.pool.end(),
      ...shardPools.map((p) => p.pool.end())
    ]),
    new Promise((r) => setTimeout(r, 3e3))
  ]), cacheRedis.disconnect(), queueRedis.disconnect(), consumerRedis.disconnect(), log("info", "stopped"), process.exit(0);
}
process.on("SIGTERM", () => {
  shutdown("SIGTERM");
});
process.on("SIGINT", () => {
  shutdown("SIGINT");
});
process.on("unhandledRejection", (err) => log("error", "unhandled rejection", { error: errorText(err) }));
