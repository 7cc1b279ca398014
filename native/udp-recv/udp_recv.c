/*
 * Tidewatch's UDP receive path below Node's dgram: recvmmsg(2) fills many datagrams per system call straight into a
 * buffer owned by JavaScript. Own code on a hot path, because it is measurably faster: Node's dgram costs about 10 us
 * of CPU per datagram (a 64 KiB allocation, a Buffer, an rinfo object and a JavaScript callback each), this path about
 * 1-2 us (docs/BENCHMARKS.md, flows). Linux only; src/sources/udp-native.ts loads it and falls back to dgram when it is
 * missing. Used from one thread per socket (src/sources/udp-thread.ts), which may block in recv() up to its timeout.
 *
 *   open(host, port, v6, recvBuffer) -> [fd, boundHost, boundPort, grantedRecvBuffer]   throws "bind EADDRINUSE host:port"
 *   recv(fd, out, off, lengths, start, peers, timeoutUs, peerPort, maxBytes) -> n
 *       receives up to lengths.length - start datagrams (waiting at most timeoutUs for the first one), stores them back
 *       to back in out from byte off, datagram i's length at lengths[start + i] and its sender at peers[start + i]
 *       ("address:port" or the address alone); receives only as many as surely fit (64 KiB each), so none is lost,
 *       and makes no further system call once maxBytes are taken (one call takes at most 64 datagrams)
 *   close(fd)
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VLEN 64
#define SLOT 65536

static const char *errname(int e) {
  switch (e) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case ENOBUFS: return "ENOBUFS";
    case EMFILE: return "EMFILE";
    default: return "EIO";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int e, const char *host, int port) {
  char msg[256];
  if (host) snprintf(msg, sizeof msg, "%s %s %s:%d (%s)", what, errname(e), host, port, strerror(e));
  else snprintf(msg, sizeof msg, "%s %s (%s)", what, errname(e), strerror(e));
  napi_throw_error(env, errname(e), msg);
  return NULL;
}

static int get_int(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char host[64];
  size_t hl = 0;
  int64_t port = 0, want = 0;
  bool v6 = false;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hl) != napi_ok || !get_int(env, argv[1], &port) ||
      napi_get_value_bool(env, argv[2], &v6) != napi_ok || !get_int(env, argv[3], &want)) {
    napi_throw_type_error(env, NULL, "open(host, port, v6, recvBuffer)");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (v6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return throw_errno(env, "bind", EINVAL, host, (int)port);
    sl = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return throw_errno(env, "bind", EINVAL, host, (int)port);
    sl = sizeof *a;
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno, NULL, 0);
  if (v6) {
    int off = 0; /* dual stack, as Node's udp6 sockets */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  if (want > 0) {
    int b = want > 0x7fffffff ? 0x7fffffff : (int)want;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e, host, (int)port);
  }
  struct sockaddr_storage bound;
  socklen_t bl = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &bl);
  char bhost[INET6_ADDRSTRLEN];
  int bport;
  if (bound.ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&bound;
    inet_ntop(AF_INET6, &a->sin6_addr, bhost, sizeof bhost);
    bport = ntohs(a->sin6_port);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&bound;
    inet_ntop(AF_INET, &a->sin_addr, bhost, sizeof bhost);
    bport = ntohs(a->sin_port);
  }
  int granted = 0;
  socklen_t gl = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &gl);
  napi_value res, v;
  napi_create_array_with_length(env, 4, &res);
  napi_create_int32(env, fd, &v);
  napi_set_element(env, res, 0, v);
  napi_create_string_latin1(env, bhost, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, res, 1, v);
  napi_create_int32(env, bport, &v);
  napi_set_element(env, res, 2, v);
  napi_create_int32(env, granted, &v);
  napi_set_element(env, res, 3, v);
  return res;
}

/* the sender's text; v4-mapped IPv6 senders print as Node prints them (::ffff:a.b.c.d) */
static size_t peer_text(const struct sockaddr_storage *s, bool with_port, char *buf, size_t n) {
  int port;
  if (s->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)s;
    inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)n);
    port = ntohs(a->sin6_port);
  } else {
    const struct sockaddr_in *a = (const struct sockaddr_in *)s;
    inet_ntop(AF_INET, &a->sin_addr, buf, (socklen_t)n);
    port = ntohs(a->sin_port);
  }
  size_t l = strlen(buf);
  if (with_port) l += (size_t)snprintf(buf + l, n - l, ":%d", port);
  return l;
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t fd, off, start, timeout_us, max_bytes;
  bool with_port = true;
  uint8_t *out;
  size_t out_len;
  int32_t *lengths;
  size_t n_lengths;
  napi_typedarray_type tt;
  napi_value ab;
  size_t ab_off;
  if (argc < 9 || !get_int(env, argv[8], &max_bytes) || !get_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], (void **)&out, &out_len) != napi_ok ||
      !get_int(env, argv[2], &off) || napi_get_typedarray_info(env, argv[3], &tt, &n_lengths, (void **)&lengths, &ab, &ab_off) != napi_ok ||
      tt != napi_int32_array || !get_int(env, argv[4], &start) || !get_int(env, argv[6], &timeout_us) ||
      napi_get_value_bool(env, argv[7], &with_port) != napi_ok || off < 0 || (size_t)off > out_len || start < 0 || (size_t)start > n_lengths) {
    napi_throw_type_error(env, NULL, "recv(fd, out: Buffer, off, lengths: Int32Array, start, peers: string[], timeoutUs, peerPort, maxBytes)");
    return NULL;
  }
  napi_value peers = argv[5];
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  struct sockaddr_storage from[VLEN];
  struct sockaddr_storage last_from;
  napi_value last_peer = NULL;
  size_t got = 0;
  size_t room = n_lengths - (size_t)start;
  bool waited = false;
  int64_t off0 = off;
  for (;;) {
    if (off - off0 >= max_bytes) break;
    size_t fit = (out_len - (size_t)off) / SLOT; /* datagrams that surely fit */
    size_t vlen = room - got;
    if (vlen > VLEN) vlen = VLEN;
    if (vlen > fit) vlen = fit;
    if (vlen == 0) break;
    for (size_t i = 0; i < vlen; i++) {
      iov[i].iov_base = out + off + i * SLOT;
      iov[i].iov_len = SLOT;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int r = recvmmsg((int)fd, msgs, (unsigned)vlen, MSG_DONTWAIT, NULL);
    if (r < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) {
        if (got || waited || timeout_us <= 0) break;
        struct pollfd p = {(int)fd, POLLIN, 0};
        struct timespec ts = {timeout_us / 1000000, (timeout_us % 1000000) * 1000};
        waited = true;
        if (ppoll(&p, 1, &ts, NULL) <= 0) break;
        continue;
      }
      if (got) break; /* report it on the next call */
      return throw_errno(env, "recvmmsg", e, NULL, 0);
    }
    /* pack them back to back (each landed at the start of its 64 KiB slot; moves only go down) */
    for (int i = 0; i < r; i++) {
      size_t len = msgs[i].msg_len;
      uint8_t *src = iov[i].iov_base;
      if (src != out + off) memmove(out + off, src, len);
      lengths[start + got] = (int32_t)len;
      if (!last_peer || memcmp(&from[i], &last_from, msgs[i].msg_hdr.msg_namelen) != 0) {
        char text[INET6_ADDRSTRLEN + 8];
        size_t tl = peer_text(&from[i], with_port, text, sizeof text);
        napi_create_string_latin1(env, text, tl, &last_peer);
        memcpy(&last_from, &from[i], msgs[i].msg_hdr.msg_namelen);
      }
      napi_set_element(env, peers, (uint32_t)(start + got), last_peer);
      off += (int64_t)len;
      got++;
    }
    if ((size_t)r < vlen) break; /* drained */
  }
  napi_value res;
  napi_create_uint32(env, (uint32_t)got, &res);
  return res;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1 && get_int(env, argv[0], &fd) && fd >= 0) close((int)fd);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
