/*
 * tsrun spawn routine, x86-64 Linux. Assemble with GNU as (regen.sh turns it into x86_64.ts).
 *
 *   i64 spawn(u64 *arena)
 *
 * Makes the child with the arena's clone call (clone3, or the legacy clone where clone3 is
 * refused: a syscall number and six arguments). The parent gets the child's pid (or -errno)
 * back. The child runs the arena's step table, one raw syscall per step, then exit_group(0);
 * normally the last step is execve, which never comes back on success.
 *
 * A clone step forks the child: the new process goes on with the table, the child that forked
 * it reports the new pid as a record with step index FORKED_STEP and exits (the parent then
 * follows the new process; a pid namespace joined with setns takes only a new process in).
 *
 * The child must never return into the caller (V8's heap is MADV_DONTFORK) and may share the
 * parent's memory (CLONE_VM|CLONE_VFORK), so it calls no libc, never pushes, pops or calls, and
 * keeps its state only in registers that `syscall` preserves (everything but rax, rcx, r11).
 * The parent saves rbx, which carries the arena across the clone, on its own stack.
 * The layout offsets come from layout.inc.
 */
	.intel_syntax noprefix

	.include "layout.inc"

	.equ NR_write, 1
	.equ NR_exit_group, 231
	.equ NR_clone, 56

	.text
	.globl tsrun_spawn
tsrun_spawn:
	push rbx
	mov rbx, rdi			/* arena */
	mov rax, [rbx + ARENA_CLONE]
	mov rdi, [rbx + ARENA_CLONE + 8]
	mov rsi, [rbx + ARENA_CLONE + 16]
	mov rdx, [rbx + ARENA_CLONE + 24]
	mov r10, [rbx + ARENA_CLONE + 32]
	mov r8, [rbx + ARENA_CLONE + 40]
	mov r9, [rbx + ARENA_CLONE + 48]
	syscall
	test rax, rax
	jz child
	pop rbx
	ret

child:
	xor r12d, r12d			/* step index */
	mov r13, [rbx + ARENA_N_STEPS]
	lea r14, [rbx + ARENA_STEPS]	/* current step */
next_step:
	cmp r12, r13
	jae all_done
	mov rax, [r14]
	mov r15, rax			/* the step's syscall, kept across it */
	mov rdi, [r14 + 8]
	mov rsi, [r14 + 16]
	mov rdx, [r14 + 24]
	mov r10, [r14 + 32]
	mov r8, [r14 + 40]
	mov r9, [r14 + 48]
	syscall
	cmp r15, NR_clone
	jne check_result
	test rax, rax
	jg forked			/* signed: a pid, not -errno nor the new process's 0 */
check_result:
	cmp rax, -MAX_ERRNO
	jb step_ok			/* unsigned: not in the error range */
	neg rax
	cmp rax, [r14 + STEP_OK_ERRNO]
	jne step_failed
step_ok:
	inc r12
	add r14, STEP_SIZE
	jmp next_step

step_failed:
	mov r15d, EXIT_STEP_FAILED	/* the exit status once reported (the loop is over) */
	jmp report

forked:
	mov r12, FORKED_STEP		/* the record's index: the pid follows */
	xor r15d, r15d
report:
	mov [rbx + ARENA_ERR_STEP], r12
	mov [rbx + ARENA_ERR_ERRNO], rax	/* errno, or the pid */
	/* One write of 16 bytes (< PIPE_BUF) is atomic: the parent reads all of it or nothing. */
	mov rdi, [rbx + ARENA_ERR_FD]
	lea rsi, [rbx + ARENA_ERR_STEP]
	mov edx, ERR_RECORD_SIZE
	mov eax, NR_write
	syscall
	mov edi, r15d
	jmp exit

all_done:
	xor edi, edi
exit:
	mov eax, NR_exit_group
	syscall
	ud2				/* exit_group does not return */
