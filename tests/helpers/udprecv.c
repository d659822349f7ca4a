/* udprecv PORT COUNT: receive COUNT UDP datagrams on PORT (every IPv4
 * address) and print each on its own line; static, so that it runs in
 * test containers whose busybox nc has no UDP. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char buf[2048];
	int fd, count;

	if (argc != 3) {
		fprintf(stderr, "usage: udprecv PORT COUNT\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	count = atoi(argv[2]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udprecv: bind");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0) {
			perror("udprecv: recv");
			return 1;
		}
		while (n > 0 && buf[n - 1] == '\n')
			n--;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	return 0;
}
