@echo off
rem Project wrapper (like gradlew.bat): sets up .venv on first use, then runs an invoke task.
rem   dev.cmd daily --city=南昌      dev.cmd test      dev.cmd --list
setlocal
chcp 65001 >nul
cd /d "%~dp0"
set PYTHONUTF8=1
where py >nul 2>nul
if %ERRORLEVEL%==0 (
  py -3 tools\bootstrap.py %*
) else (
  python tools\bootstrap.py %*
)
exit /b %ERRORLEVEL%
