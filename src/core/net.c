/* Socket helpers: UDP sockets and IPv4 multicast membership. */
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int net_parse_ipv4(const char *s, struct in_addr *out) {
  if (!s || !*s) {
    out->s_addr = htonl(INADDR_ANY);
    return 0;
  }
  return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

const char *net_ipv4_str(struct in_addr addr, char buf[16]) {
  if (!inet_ntop(AF_INET, &addr, buf, 16)) snprintf(buf, 16, "?");
  return buf;
}

int net_udp_open(struct in_addr addr, int port, int reuse, char *err, size_t errsize) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errsize, "socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  if (reuse) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  }
  struct sockaddr_in sa = {
      .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = addr};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int e = errno;
    char a[16];
    snprintf(err, errsize, "cannot bind UDP %s:%d: %s", net_ipv4_str(addr, a), port,
             strerror(e));
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int join_one(int fd, struct in_addr group, struct in_addr iface) {
  struct ip_mreq mr = {.imr_multiaddr = group, .imr_interface = iface};
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) == 0) return 0;
  return errno == EADDRINUSE ? 0 : -1; /* already a member: fine */
}

int net_mcast_join(int fd, struct in_addr group, struct in_addr iface, char *err,
                   size_t errsize) {
  char a[16];
  if (iface.s_addr != htonl(INADDR_ANY)) {
    if (join_one(fd, group, iface) != 0) {
      snprintf(err, errsize, "cannot join multicast group on interface %s: %s",
               net_ipv4_str(iface, a), strerror(errno));
      return 0;
    }
    return 1;
  }
  /* "All interfaces": join on each multicast-capable, up IPv4 interface. */
  struct ifaddrs *ifs = NULL, *i;
  if (getifaddrs(&ifs) != 0) {
    snprintf(err, errsize, "cannot list interfaces: %s", strerror(errno));
    return 0;
  }
  int joined = 0;
  for (i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_MULTICAST)) continue;
    struct in_addr addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
    if (join_one(fd, group, addr) == 0) joined++;
  }
  freeifaddrs(ifs);
  if (!joined) snprintf(err, errsize, "no multicast-capable interface is up");
  return joined;
}

int net_mcast_set_if(int fd, struct in_addr iface) {
  unsigned char ttl = 1, loop = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) != 0) return -1;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  return 0;
}

int net_set_rcvbuf(int fd, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  int got = 0;
  socklen_t len = sizeof got;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
  return got;
}
