#!/usr/bin/env python3
"""A TCP forwarder whose downstream direction (target -> clients) shares one token bucket: all
connections together get at most RATE bytes per second, as on one bandwidth-limited link.

  shared-link.py LISTEN_PORT TARGET_PORT RATE_BYTES_PER_SECOND     (loopback only)"""
import asyncio, sys, time

listen_port, target_port, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

class Bucket:
    def __init__(self, rate):
        self.rate, self.tokens, self.last = rate, 0.0, time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n):
        async with self.lock:  # one sender at a time: the link is shared, first come first served
            while True:
                now = time.monotonic()
                self.tokens = min(self.rate * 0.05, self.tokens + (now - self.last) * self.rate)
                self.last = now
                if self.tokens >= n:
                    self.tokens -= n
                    return
                await asyncio.sleep((n - self.tokens) / self.rate)

bucket = Bucket(rate)

async def pipe(reader, writer, limited):
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            if limited:
                await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass

async def handle(client_reader, client_writer):
    try:
        target_reader, target_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, target_writer, False), pipe(target_reader, client_writer, True))

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()

asyncio.run(main())
