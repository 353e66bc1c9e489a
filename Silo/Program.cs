using Microsoft.AspNetCore.Builder;
using OrleansChat.Hosting;
using OrleansChat.Silo.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatSilo();
builder.AddSiloDashboard();

var app = builder.Build();
app.MapSiloDashboard();

await app.RunAsync();
