/* Start a program and SIGKILL it after a delay, for tests that kill a
 * command at every stage of its work.
 *
 *   killafter MICROSECONDS PROGRAM [ARG...]
 *
 * The delay runs from the fork.  Prints "killed" when the signal ended
 * the program, "exited N" when it was done before; exits 0 either way
 * (2 when the program could not be started). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec delay;
	long us;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: killafter MICROSECONDS PROGRAM [ARG...]\n");
		return 2;
	}
	us = strtol(argv[1], NULL, 10);
	delay.tv_sec = us / 1000000;
	delay.tv_nsec = (us % 1000000) * 1000;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (us > 0)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &delay, NULL);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 2;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		printf("killed\n");
	else
		printf("exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
