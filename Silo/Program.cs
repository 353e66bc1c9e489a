using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using OrleansChat.Hosting;
using OrleansChat.Silo.Extensions;

var builder = WebApplication.CreateBuilder(args);
var cluster = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
if (cluster.DashboardPort == 0)
{
    // No HTTP at all: a generic host, no listener.
    var headless = Host.CreateApplicationBuilder(args);
    headless.AddChatSilo();
    await headless.Build().RunAsync();
    return;
}

builder.AddChatSilo();
builder.AddSiloDashboard();

var app = builder.Build();
app.MapSiloDashboard();

await app.RunAsync();
