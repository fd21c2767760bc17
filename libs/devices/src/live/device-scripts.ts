/**
 * The Lua scripts of the live device registry. Each is one atomic step in Redis, shared by every
 * API instance and worker: that is what makes "pick a device and count the message in flight"
 * safe when two workers pick at the same moment.
 *
 * Key layout (all under `<REDIS_PREFIX>:devices:`, passed in as ARGV prefix where a script builds
 * a key from an id it only learns inside Redis):
 *   live:<device>        HASH  presence: instance, connection, account, ready, status, lastPick…
 *                              (expires unless its API instance refreshes it: a crashed instance's
 *                              phones go offline by themselves)
 *   online:<account>     SET   device ids that may be online (pruned when their presence is gone)
 *   inflight:<device>    ZSET  message id → deadline (ms) of the messages the phone holds
 *   sends:<device>       ZSET  "<message>:<seq>" → pick time (ms), for the per-minute send cap
 *   sends:<device>:<sim> ZSET  the same, per SIM number, for a phone that reported SIM cards
 *   handover:<message>   HASH  device (its current holder), acked, was:<device> (every phone it was
 *                              ever given to), reason (why it is due), reroutes
 *   deadlines            ZSET  message id → when its holder's time is up (0 = now)
 *   closed:<connection>  a connection that closed (briefly kept: see UPDATE_PRESENCE)
 *   pick-seq             counter, orders picks for the "least recently used" tie-break
 *   last-texted:<account>:<peer>  HASH  device, sim: the phone (and SIM, 0 unknown) the peer's
 *                              latest text arrived on, for the sticky pick (kept 30 days)
 */

/**
 * Takes over a device's presence for a new connection (a second connection replaces the first).
 * KEYS: live, online. ARGV: connection, instance, account, ttlMs, deviceId, connectedAt, now.
 * Returns the previous { instance, connection } if another connection held it, else {}.
 */
export const CLAIM_PRESENCE = `
local previous = redis.call('HMGET', KEYS[1], 'instance', 'connection')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'connection', ARGV[1], 'instance', ARGV[2], 'account', ARGV[3],
  'ready', '0', 'connectedAt', ARGV[6], 'lastSeenAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
if previous[2] and previous[2] ~= ARGV[1] then return {previous[1], previous[2]} end
return {}`;

/**
 * Writes fields of a presence only while it belongs to this connection and the connection has
 * not closed (a heartbeat or frame still under way must not bring a closed one back); if Redis
 * lost the presence, it is re-created. KEYS: live, online, closed marker of the connection.
 * ARGV: connection, instance, account, ttlMs, deviceId, then field/value pairs. Returns 1, or 0
 * when another connection took the device over or this one closed.
 */
export const UPDATE_PRESENCE = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local holder = redis.call('HGET', KEYS[1], 'connection')
if holder and holder ~= ARGV[1] then return 0 end
if not holder then
  redis.call('HSET', KEYS[1], 'connection', ARGV[1], 'instance', ARGV[2], 'account', ARGV[3])
end
if #ARGV > 5 then redis.call('HSET', KEYS[1], unpack(ARGV, 6)) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
return 1`;

/**
 * Writes fields of a presence from outside its connection (a phone's status arriving by another
 * way, e.g. a signed webhook), only while some connection holds it: it never brings a presence
 * back nor extends its life. KEYS: live. ARGV: field/value pairs. Returns 1 if written, else 0.
 */
export const AMEND_PRESENCE = `
if redis.call('HEXISTS', KEYS[1], 'connection') == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

/**
 * The connection closed. If it still held the presence: the phone is offline, and what it holds
 * falls due — at once if it never acknowledged it, after a grace period if it did (the phone may
 * reconnect and report). A marker keeps a heartbeat already under way from bringing the presence
 * back. KEYS: live, online, inflight, deadlines, closed marker. ARGV: connection, deviceId,
 * prefix, grace deadline, marker ttlMs. Returns the number of messages due now, or -1 if the
 * connection had been replaced.
 */
export const RELEASE_PRESENCE = `
redis.call('SET', KEYS[5], '1', 'PX', ARGV[5])
if redis.call('HGET', KEYS[1], 'connection') ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
local due = 0
for _, messageId in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local handover = ARGV[3] .. 'handover:' .. messageId
  if redis.call('HGET', handover, 'device') == ARGV[2] then
    redis.call('HSET', handover, 'reason', 'disconnected')
    if redis.call('HGET', handover, 'acked') == '1' then
      redis.call('ZADD', KEYS[4], 'LT', ARGV[4], messageId)
    else
      redis.call('ZADD', KEYS[4], 0, messageId)
      due = due + 1
    end
  else
    redis.call('ZREM', KEYS[3], messageId)
  end
end
return due`;

/**
 * The connection's socket closed: no new message may be given to the phone through it, at once,
 * even before the frames it sent last are handled (RELEASE_PRESENCE comes after them).
 * KEYS: live, closed marker of the connection. ARGV: connection, marker ttlMs.
 */
export const SUSPEND_PRESENCE = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
if redis.call('HGET', KEYS[1], 'connection') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ready', '0')
return 1`;

/**
 * Drops a presence whose API instance no longer listens (it crashed): only if that instance
 * still holds it. KEYS: live, online. ARGV: instance, deviceId.
 */
export const DROP_STALE_PRESENCE = `
if redis.call('HGET', KEYS[1], 'instance') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

/**
 * Picks the least-loaded eligible device and, in the same step, makes it the message's holder
 * and counts the send. Eligible: online (said hello), among the candidates (enabled, of the
 * account), under its send cap in the sliding window. A phone that reported SIM cards has a
 * window per SIM, each with the phone's cap: it is eligible while one of its SIMs is under the
 * cap (the SIM the message names, if it names one), and the send goes to that SIM, or to the one
 * with the fewest sends in its window (then the lowest number). Preferred: a phone that has not
 * had this message before (a re-route goes elsewhere), then the sticky phone (the one the
 * recipient last texted: a reply comes from the number they wrote to, and from its SIM when that
 * SIM is under its cap), then fewest in flight, then highest battery, then best signal, then
 * least recently picked. A sticky phone at its cap is passed over, not waited for.
 *
 * KEYS: deadlines, handover, online (of the account), pick-seq, last-texted (of the account and
 * the recipient).
 * ARGV: prefix, now, windowMs, messageId, ackDeadline, handoverTtlMs, probe ('1': only say
 * whether one is eligible, change nothing), requested SIM number ('0': any), then
 * deviceId/rate/SIM numbers (comma-separated, '' when it reported none) triples.
 * Returns {'picked', device, instance, connection, phoneNumber, simNumber ('0': none)},
 * {'eligible', device} (probe), or {'none', onlineCount, msUntilASlotFrees (-1: no device online)}.
 */
export const PICK_DEVICE = `
local prefix = ARGV[1]
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local messageId = ARGV[4]
local probe = ARGV[7] == '1'
local requestedSim = tonumber(ARGV[8])
local lastTexted = redis.call('HMGET', KEYS[5], 'device', 'sim')
local stickyDevice = lastTexted[1] or ''
local stickySim = tonumber(lastTexted[2]) or 0
local best, bestLive, bestTried, bestLoose, bestInflight, bestBattery, bestSignal, bestSeq, bestSim
local online = 0
local nextFree = nil
for i = 9, #ARGV, 3 do
  local id = ARGV[i]
  local rate = tonumber(ARGV[i + 1])
  local sims = ARGV[i + 2]
  local live = prefix .. 'live:' .. id
  local state = redis.call('HMGET', live, 'ready', 'battery', 'signal', 'lastPick')
  if state[1] == '1' then
    online = online + 1
    local sends = prefix .. 'sends:' .. id
    -- The phone's own window counts every send (GET /devices shows it); it is the cap's window
    -- only for a phone that reported no SIM.
    -- A send at exactly now - window still counts: no closed window of that length holds more.
    redis.call('ZREMRANGEBYSCORE', sends, '-inf', '(' .. (now - window))
    local sim, simSent, simFreeAt = nil, nil, nil
    local function consider(number, key)
      if key ~= sends then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - window)) end
      local sent = redis.call('ZCARD', key)
      if sent < rate then
        if sim == nil or sent < simSent then sim, simSent = number, sent end
      else
        -- A slot frees when the send that keeps the count at the cap leaves the window.
        local entry = redis.call('ZRANGE', key, sent - rate, sent - rate, 'WITHSCORES')
        local freeAt = tonumber(entry[2]) + window + 1
        if simFreeAt == nil or freeAt < simFreeAt then simFreeAt = freeAt end
      end
    end
    local sticky = id == stickyDevice
    if sims == '' then
      consider(0, sends)
    elseif requestedSim > 0 then
      consider(requestedSim, sends .. ':' .. requestedSim)
    else
      if sticky and stickySim > 0 and string.find(',' .. sims .. ',', ',' .. stickySim .. ',', 1, true) then
        consider(stickySim, sends .. ':' .. stickySim)
      end
      if sim == nil then
        for number in string.gmatch(sims, '%d+') do consider(tonumber(number), sends .. ':' .. number) end
      end
    end
    if sim ~= nil then
      -- A phone that already had this message (and lost it) comes last: re-routing goes to
      -- another phone whenever there is one.
      local tried = redis.call('HEXISTS', KEYS[2], 'was:' .. id)
      local loose = sticky and 0 or 1
      local inflight = redis.call('ZCARD', prefix .. 'inflight:' .. id)
      local battery = tonumber(state[2]) or -1
      local signal = tonumber(state[3]) or -1
      local seq = tonumber(state[4]) or 0
      if best == nil or tried < bestTried or (tried == bestTried and (loose < bestLoose
        or (loose == bestLoose and (inflight < bestInflight
          or (inflight == bestInflight and (battery > bestBattery
            or (battery == bestBattery and (signal > bestSignal
              or (signal == bestSignal and seq < bestSeq))))))))) then
        best, bestLive, bestTried, bestLoose, bestInflight, bestBattery, bestSignal, bestSeq, bestSim =
          id, live, tried, loose, inflight, battery, signal, seq, sim
      end
    elseif simFreeAt ~= nil and (nextFree == nil or simFreeAt < nextFree) then
      nextFree = simFreeAt
    end
  elseif not state[1] then
    redis.call('SREM', KEYS[3], id)
  end
end
if best == nil then
  if nextFree == nil then return {'none', online, -1} end
  return {'none', online, nextFree - now}
end
if probe then return {'eligible', best} end

local previous = redis.call('HGET', KEYS[2], 'device')
if previous and previous ~= best then
  redis.call('ZREM', prefix .. 'inflight:' .. previous, messageId)
end
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', prefix .. 'inflight:' .. best, ARGV[5], messageId)
local sends = prefix .. 'sends:' .. best
redis.call('ZADD', sends, now, messageId .. ':' .. seq)
redis.call('PEXPIRE', sends, window * 2)
if bestSim > 0 then
  local simSends = sends .. ':' .. bestSim
  redis.call('ZADD', simSends, now, messageId .. ':' .. seq)
  redis.call('PEXPIRE', simSends, window * 2)
end
redis.call('HSET', bestLive, 'lastPick', seq)
-- The SIM is kept with the holder: a phone that pulls its messages learns it from here.
redis.call('HSET', KEYS[2], 'device', best, 'was:' .. best, '1', 'sim', bestSim)
redis.call('HDEL', KEYS[2], 'acked', 'reason')
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[1], ARGV[5], messageId)
local info = redis.call('HMGET', bestLive, 'instance', 'connection', 'phoneNumber')
return {'picked', best, info[1], info[2], info[3] or '', bestSim}`;

/**
 * The phone accepted the message: it now has until the result deadline.
 * KEYS: handover, deadlines, inflight (of the device). ARGV: deviceId, messageId, resultDeadline.
 * Returns 'accepted', 'duplicate' (acknowledged before), 'former' (it was given to this phone,
 * which no longer holds it) or 'unknown' (never given to this phone).
 */
export const ACKNOWLEDGE = `
if redis.call('HGET', KEYS[1], 'device') == ARGV[1] then
  if redis.call('HGET', KEYS[1], 'acked') == '1' then return 'duplicate' end
  redis.call('HSET', KEYS[1], 'acked', '1')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
  return 'accepted'
end
if redis.call('HEXISTS', KEYS[1], 'was:' .. ARGV[1]) == 1 then return 'former' end
return 'unknown'`;

/**
 * The phone reported a result: if it holds the message, it no longer does (first result wins).
 * KEYS: handover, deadlines, inflight (of the device). ARGV: deviceId, messageId.
 * Returns 'current' (it held it: the report counts), 'former' or 'unknown' (as ACKNOWLEDGE).
 */
export const RELEASE_HANDOVER = `
if redis.call('HGET', KEYS[1], 'device') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'device', 'acked', 'reason')
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  return 'current'
end
if redis.call('HEXISTS', KEYS[1], 'was:' .. ARGV[1]) == 1 then return 'former' end
return 'unknown'`;

/**
 * A canceled message is taken back from a phone that pulls its messages (transport 'sse') and has
 * not pulled it: the content never left the server, so nobody can send it. A phone that was
 * pushed the message (a socket) or has pulled it (acked) keeps it.
 * KEYS: handover, deadlines. ARGV: prefix, messageId.
 * Returns the device it was taken from, or '' when it could not be.
 */
export const WITHDRAW = `
local holder = redis.call('HGET', KEYS[1], 'device')
if not holder then return '' end
if redis.call('HGET', KEYS[1], 'acked') == '1' then return '' end
if redis.call('HGET', ARGV[1] .. 'live:' .. holder, 'transport') ~= 'sse' then return '' end
redis.call('HDEL', KEYS[1], 'device', 'acked', 'reason')
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', ARGV[1] .. 'inflight:' .. holder, ARGV[2])
return holder`;

/**
 * The API instance could not hand a send to the phone (its socket is gone): due at once, if the
 * phone still holds it. KEYS: handover, deadlines. ARGV: deviceId, messageId.
 */
export const MARK_DUE_NOW = `
if redis.call('HGET', KEYS[1], 'device') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'reason', 'disconnected')
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 1`;

/**
 * Takes the messages whose time is up, each by exactly one caller: their holder loses them.
 * KEYS: deadlines. ARGV: prefix, now, limit.
 * Returns a flat list: messageId, former holder ('' if none), acked ('1'/'0'), reason, reroutes.
 */
export const TAKE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local taken = {}
for _, messageId in ipairs(due) do
  redis.call('ZREM', KEYS[1], messageId)
  local handover = ARGV[1] .. 'handover:' .. messageId
  local state = redis.call('HMGET', handover, 'device', 'acked', 'reason', 'reroutes')
  local holder = state[1] or ''
  local reroutes = tonumber(state[4]) or 0
  if holder ~= '' then
    redis.call('ZREM', ARGV[1] .. 'inflight:' .. holder, messageId)
    redis.call('HDEL', handover, 'device', 'acked', 'reason')
    reroutes = redis.call('HINCRBY', handover, 'reroutes', 1)
  end
  local reason = state[3] or ''
  if reason == '' then
    if holder == '' then reason = 'retry' elseif state[2] == '1' then reason = 'result-timeout' else reason = 'ack-timeout' end
  end
  table.insert(taken, messageId)
  table.insert(taken, holder)
  table.insert(taken, state[2] or '0')
  table.insert(taken, reason)
  table.insert(taken, tostring(reroutes))
end
return taken`;
