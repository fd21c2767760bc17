// The Node.js flags the API and the worker run with (npm start, npm run bench; the Dockerfile and
// the start:api/start:worker scripts repeat them).
//
// A larger young generation: every accepted message allocates request, validation, SQL and queue
// objects that die within milliseconds, and a batch of 1,000 keeps its objects alive for the
// whole request. With V8's default (16 MB semi-spaces) they were copied by scavenge after scavenge
// and promoted; with 64 MB most of them die young. Measured by `npm run bench`: batch accept
// about +10 %, garbage collection from about 30 % to 20 % of the API's CPU in a batch. Costs up to
// ~190 MB of memory per process under load, nothing when idle.
module.exports = ['--max-semi-space-size=64'];
