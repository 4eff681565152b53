# VM and host test tool: a 32-bit (i386) program with no libc. It makes
# i386 syscall 39 (mkdir(NULL), which x86-64 numbers getpid), then i386
# getpid (20), then exits 7. A policy that confuses the two ABIs kills it.
.globl _start
_start:
	movl $39, %eax
	xorl %ebx, %ebx
	int $0x80
	movl $20, %eax
	int $0x80
	movl $1, %eax
	movl $7, %ebx
	int $0x80
