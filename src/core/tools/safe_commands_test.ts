import assert from "node:assert/strict";
import { isDangerousCommand, isKnownSafeCommand } from "./safe_commands.ts";

const bash = (script: string) => ["bash", "-lc", script];

Deno.test("isKnownSafeCommand accepts read-only commands and scripts", () => {
  const safe = [
    "ls -la",
    "cat README.md",
    "pwd",
    "cd src && ls",
    "rg -n 'foo bar' src | head -n 20",
    "grep -r TODO . ; wc -l a.txt",
    "sed -n '1,40p' src/main.ts",
    "find . -name '*.ts' -type f",
    "git status",
    "git log --oneline -n 5",
    "git diff HEAD~1",
    "git show HEAD",
    "git branch",
    "git branch -a -v",
    "git branch --list 'feat/*'",
    "git branch --contains HEAD",
    "date +%s",
    "date -u",
    "tree -L 2",
    "file a.bin",
    "echo hi && true",
    "which deno || false",
    "/usr/bin/cat x",
  ];
  for (const script of safe) assert.equal(isKnownSafeCommand(bash(script)), true, script);
  assert.equal(isKnownSafeCommand(["ls", "-la"]), true);
  assert.equal(isKnownSafeCommand(["git", "status"]), true);
});

Deno.test("isKnownSafeCommand rejects writes, unknown programs and unparsed syntax", () => {
  const unsafe = [
    "rm -rf x",
    "echo hi > f",
    "cat a >> b",
    "ls $(whoami)",
    "ls `id`",
    "ls &",
    "(ls)",
    "find . -delete",
    "find . -exec rm {} \\;",
    "find . -fprint out",
    "git branch -D x",
    "git branch -d x",
    "git branch -m a b",
    "git branch --delete x",
    "git branch newbranch",
    "git checkout main",
    "git push",
    "git -c core.pager=evil log",
    "git diff --output=f",
    "sed -i 's/a/b/' f",
    "sed -n 's/a/b/w out' f",
    "sed 5p f",
    "rg --pre ./evil x",
    "rg --pre=./evil x",
    "rg -z x",
    "rg --hostname-bin ./evil x",
    "date -s 2020-01-01",
    "date --set=2020-01-01",
    "date 0101120020",
    "file -C -m magic",
    "tree -o out.txt",
    "ls && npm install",
    "FOO=bar ls",
    "./ls",
    "xargs rm",
    "",
  ];
  for (const script of unsafe) assert.equal(isKnownSafeCommand(bash(script)), false, script);
  assert.equal(isKnownSafeCommand([]), false);
  assert.equal(isKnownSafeCommand(["rm", "x"]), false);
  assert.equal(isKnownSafeCommand(["git"]), false);
});

Deno.test("isDangerousCommand flags clearly destructive commands", () => {
  const dangerous = [
    "rm -rf /",
    "rm -rf ~",
    "rm -rf ~/",
    "rm -fr *",
    "rm -r -f /*",
    "rm --recursive $HOME",
    "rm -rf --no-preserve-root /",
    "sudo rm -rf /",
    "cd /tmp && rm -rf *",
    "rm -rf / > log 2>&1",
    "bash -c 'rm -rf ~'",
    "git reset --hard",
    "git reset --hard HEAD~3",
    "git -C repo reset --hard",
    "git clean -fdx",
    "git clean --force",
    "mkfs.ext4 /dev/sda1",
    "mkfs -t ext4 /dev/sdb",
    "dd if=/dev/zero of=/dev/sda bs=1M",
    "shutdown -h now",
    "sudo reboot",
    "systemctl poweroff",
    "env FOO=1 rm -rf /",
  ];
  for (const script of dangerous) {
    assert.equal(isDangerousCommand(bash(script)), true, script);
  }
  assert.equal(isDangerousCommand(["rm", "-rf", "/"]), true);
});

Deno.test("isDangerousCommand leaves ordinary commands alone", () => {
  const benign = [
    "rm -rf x",
    "rm -rf ./build",
    "rm ~",
    "rm '*.log'x",
    "git reset HEAD file",
    "git reset --soft HEAD~1",
    "git clean -n",
    "dd if=a of=b",
    "ls -la /",
    "echo 'rm -rf /'",
    "grep shutdown notes",
  ];
  for (const script of benign) {
    assert.equal(isDangerousCommand(bash(script)), false, script);
  }
  assert.equal(isDangerousCommand([]), false);
});
