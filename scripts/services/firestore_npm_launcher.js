// Start the npm stand-in Firestore emulator (@firestore-emulator/server) bound to 127.0.0.1 only.
//
//   node scripts/services/firestore_npm_launcher.js PREFIX GRPC_PORT ADMIN_PORT
//
// PREFIX is the folder that scripts/services/install.sh gave to `npm install --prefix` (.services/firestore-npm).
// Upstream's FirestoreServer.start() binds 0.0.0.0; this binds its gRPC server on 127.0.0.1:GRPC_PORT itself.
// The stand-in speaks gRPC only (no REST API, no reset endpoint), so this also serves, on 127.0.0.1:ADMIN_PORT:
//   GET /                                                            -> "Ok" (readiness)
//   DELETE /emulator/v1/projects/P/databases/(default)/documents     -> clears ALL projects' data
//   POST /shutdown                                                   -> exits
"use strict";

const http = require("node:http");
const path = require("node:path");
const { createRequire } = require("node:module");

const HOST = "127.0.0.1";
const [prefix, grpcPortArg, adminPortArg] = process.argv.slice(2);
if (!prefix || !grpcPortArg || !adminPortArg) {
  console.error("usage: firestore_npm_launcher.js PREFIX GRPC_PORT ADMIN_PORT");
  process.exit(2);
}
const grpcPort = Number(grpcPortArg);
const adminPort = Number(adminPortArg);

// Resolve grpc-js from the package's own folder so both use the same copy.
const pkgRequire = createRequire(
  path.join(path.resolve(prefix), "node_modules", "@firestore-emulator", "server", "package.json"),
);
const { FirestoreServer } = pkgRequire("@firestore-emulator/server");
const { ServerCredentials } = pkgRequire("@grpc/grpc-js");

const emulator = new FirestoreServer();
// `server` is TypeScript-private only: bind it ourselves instead of start(), which would use 0.0.0.0.
emulator.server.bindAsync(`${HOST}:${grpcPort}`, ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`firestore-npm: cannot bind ${HOST}:${grpcPort}: ${err.message}`);
    process.exit(3);
  }
  console.error(`firestore-npm: gRPC API bound to ${HOST}:${port}`);
});

const resetPath = /^\/emulator\/v1\/projects\/[^/]+\/databases\/[^/]+\/documents\/?$/;
const admin = http.createServer((req, res) => {
  const url = decodeURIComponent((req.url || "/").split("?")[0]);
  if (req.method === "GET" && url === "/") {
    res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
  } else if (req.method === "DELETE" && resetPath.test(url)) {
    emulator.state.clear();
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  } else if (req.method === "POST" && url === "/shutdown") {
    res.writeHead(200, { "content-type": "text/plain" }).end("Shutting down");
    emulator.stop();
    admin.close();
    setTimeout(() => process.exit(0), 50);
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});
admin.on("error", (err) => {
  console.error(`firestore-npm: cannot bind admin ${HOST}:${adminPort}: ${err.message}`);
  process.exit(3);
});
admin.listen(adminPort, HOST, () => {
  console.error(`firestore-npm: admin HTTP bound to ${HOST}:${adminPort}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    emulator.stop();
    process.exit(0);
  });
}
